package dev.fanout.config;

import dev.fanout.bus.Addresses;
import dev.fanout.bus.NewJob;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The TCP event-bus bridge ({@code bridge.*}): other processes and languages on the bus.
 *
 * <p>An address in {@code inbound} or {@code outbound} is either exact ({@code fanout.fetch}) or a
 * prefix ending in {@code .*} ({@code myapp.events.*}: every address starting with
 * {@code myapp.events.}). Refused, naming the key, so that a typo never opens the bus: {@code *}
 * or {@code .*} alone (every address), a prefix of fanout's own addresses ({@code fanout.*},
 * {@code fanout.job.*}: list them exactly) or of Vert.x's reply addresses ({@code __vertx.*}), a
 * {@code *} anywhere else, blanks and white space, and {@code fanout.job.<kind>} in
 * {@code outbound} (a handler kind belongs in {@code handlerKinds}, where the node claims it).
 *
 * @param port the port to listen on; 0 leaves the bridge off
 * @param host the address to bind
 * @param inbound the addresses a client may send or publish to
 * @param outbound the addresses a client may register for, besides the handler kinds' (replies
 *     to its own requests always reach it)
 * @param handlerKinds the job kinds a client may register as the handler of
 * @param maxFrameBytes a frame longer than this (its JSON, without the 4-byte length) closes the
 *     connection
 */
public record BridgeConfig(int port, String host, List<String> inbound, List<String> outbound,
    List<HandlerKind> handlerKinds, int maxFrameBytes) {
  /** A handler kind's concurrency when its entry gives none: a registered handler's default. */
  public static final int DEFAULT_CONCURRENCY = 50;
  /** A handler kind's attempt timeout when its entry gives none: a registered handler's default. */
  public static final long DEFAULT_TIMEOUT_MS = 60_000;
  private static final String PREFIX_FORM = ".*";

  /**
   * A job kind bridge clients may handle: while one is connected and registered for
   * {@code fanout.job.<kind>}, this node claims the kind, at most {@code concurrency} attempts at a
   * time (shared by all such clients), each given {@code timeoutMs}. Written
   * {@code kind[:concurrency[:timeoutMs]]} in {@code bridge.handlerKinds}.
   *
   * @param kind the job kind
   * @param concurrency attempts in flight on this node at most, for all its bridge clients together
   * @param timeoutMs the limit of one attempt
   */
  public record HandlerKind(String kind, int concurrency, long timeoutMs) {
    /** The address a handler of this kind consumes: {@code fanout.job.<kind>}. */
    public String address() {
      return Addresses.JOB_HANDLER_PREFIX + kind;
    }
  }

  /** Whether the bridge listens at all ({@code port > 0}). */
  public boolean enabled() {
    return port > 0;
  }

  static BridgeConfig read(ConfigReader r) {
    String host = r.string("bridge.host");
    if (host.isBlank()) {
      throw new ConfigException("bridge.host", "must not be blank");
    }
    return new BridgeConfig(r.intIn("bridge.port", 0, 65_535), host.trim(),
        addresses("bridge.inbound", r.stringList("bridge.inbound")),
        addresses("bridge.outbound", r.stringList("bridge.outbound")),
        kinds(r.stringList("bridge.handlerKinds")), r.intIn("bridge.maxFrameBytes", 64, 1 << 30));
  }

  private static List<String> addresses(String key, List<String> entries) {
    for (String a : entries) {
      String why = refusal(a);
      if (why == null && key.endsWith("outbound") && a.startsWith(Addresses.JOB_HANDLER_PREFIX)) {
        why = "is a job handler address: list the kind in bridge.handlerKinds instead";
      }
      if (why != null) {
        throw new ConfigException(key, "\"" + a + "\" " + why);
      }
    }
    return List.copyOf(new LinkedHashSet<>(entries));
  }

  /** Why an address entry is refused, or null when it is fine. */
  private static String refusal(String a) {
    if (a.isEmpty() || a.chars().anyMatch(Character::isWhitespace)) {
      return "must be an address without white space";
    }
    if (a.equals("*") || a.equals(PREFIX_FORM) || a.equals("#") || a.equals(".")) {
      return "would permit every address: list the addresses instead";
    }
    boolean prefix = a.endsWith(PREFIX_FORM);
    String stem = prefix ? a.substring(0, a.length() - 1) : a;
    if (stem.contains("*")) {
      return "has a '*' that is not a trailing \".*\" (exact addresses and prefixes only, no regular expressions)";
    }
    if (prefix && (stem.startsWith("fanout.") || stem.startsWith("__vertx"))) {
      return "would permit fanout's own or Vert.x's internal addresses: list fanout's addresses exactly";
    }
    return null;
  }

  private static List<HandlerKind> kinds(List<String> entries) {
    List<HandlerKind> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String entry : entries) {
      HandlerKind k = kind(entry);
      if (!seen.add(k.kind())) {
        throw new ConfigException("bridge.handlerKinds", "lists \"" + k.kind() + "\" twice");
      }
      out.add(k);
    }
    return List.copyOf(out);
  }

  private static HandlerKind kind(String entry) {
    String[] parts = entry.split(":", -1);
    if (parts.length > 3 || !NewJob.isName(parts[0])) {
      throw new ConfigException("bridge.handlerKinds", "\"" + entry + "\" must be kind[:concurrency[:timeoutMs]], "
          + "the kind letters, digits, '.', '_' or '-' (not \"*\": every kind is never permitted)");
    }
    int concurrency = parts.length > 1 ? (int) number(entry, parts[1], 1, 10_000) : DEFAULT_CONCURRENCY;
    long timeoutMs = parts.length > 2 ? number(entry, parts[2], 1, 24L * 3600 * 1000) : DEFAULT_TIMEOUT_MS;
    return new HandlerKind(parts[0], concurrency, timeoutMs);
  }

  private static long number(String entry, String text, long min, long max) {
    try {
      long n = Long.parseLong(text.trim());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // refused below, with the entry named
    }
    throw new ConfigException("bridge.handlerKinds",
        "\"" + entry + "\": concurrency 1..10000 and timeoutMs 1..86400000 (got \"" + text + "\")");
  }
}
