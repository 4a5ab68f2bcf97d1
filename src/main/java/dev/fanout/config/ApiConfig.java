package dev.fanout.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who may use the HTTP API and the bridge, and how fast ({@code api.*}).
 *
 * <p>A token entry is {@code ID:SECRET:SCOPES}: a name for logs ({@code ci}, {@code dashboard}),
 * the bearer secret itself (16 characters at least) or {@code sha256-<hex>} of it (so the file
 * need not hold it), and its scopes joined by {@code +} ({@code read+write}). With no tokens the
 * API is open (and {@code http.host} must be a loopback address unless {@code http.allowOpen}).
 *
 * @param tokens the bearer tokens; empty leaves the API open
 * @param openHealth whether {@code /health/*} answers without a token (probes rarely carry one)
 * @param openMetrics whether {@code /metrics} answers without a token (a scraper that carries none)
 * @param ratePerSecond requests a second per token (per client address when open); 0 is no limit
 * @param rateBurst requests a token may make at once above the rate (the bucket's size)
 * @param corsOrigins origins a browser page may call the API from; empty sends no CORS headers
 */
public record ApiConfig(List<Token> tokens, boolean openHealth, boolean openMetrics, double ratePerSecond, int rateBurst,
    List<String> corsOrigins) {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern DIGEST = Pattern.compile("sha256-[0-9a-fA-F]{64}");
  private static final int MIN_SECRET = 16;

  /** What a token may do. */
  public enum Scope {
    /** GETs of the API. */
    READ,
    /** Fetches, enqueues, cancels and retries. */
    WRITE,
    /** The admin routes, and registering job handlers over the bridge. */
    ADMIN;

    /** The scope's name in configuration and problems ({@code read}). */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One bearer token: its id (safe to log) and the SHA-256 of its secret (the secret itself is not kept).
   *
   * @param id the token's name
   * @param sha256 the digest of the secret
   * @param scopes what it may do
   */
  public record Token(String id, byte[] sha256, Set<Scope> scopes) {
    /** Whether this token may act with {@code scope}. */
    public boolean may(Scope scope) {
      return scopes.contains(scope);
    }
  }

  /** Whether any token is configured (else the API is open). */
  public boolean protectedByTokens() {
    return !tokens.isEmpty();
  }

  static ApiConfig read(ConfigReader r) {
    List<Token> tokens = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (String entry : r.stringList("api.tokens")) {
      Token t = token(entry.strip());
      if (!ids.add(t.id())) {
        throw new ConfigException("api.tokens", "token id \"" + t.id() + "\" is given twice");
      }
      tokens.add(t);
    }
    return new ApiConfig(List.copyOf(tokens), r.bool("api.openHealth"), r.bool("api.openMetrics"),
        r.doubleIn("api.ratePerSecond", 0, 1e6),
        r.intIn("api.rateBurst", 1, 1_000_000), List.copyOf(r.stringList("api.corsOrigins")));
  }

  /** Parses {@code ID:SECRET:SCOPES}; the message never repeats the secret. */
  private static Token token(String entry) {
    int first = entry.indexOf(':');
    int last = entry.lastIndexOf(':');
    if (first < 0 || last == first) {
      throw new ConfigException("api.tokens", "an entry must be ID:SECRET:SCOPES (scopes read, write, admin "
          + "joined by +)");
    }
    String id = entry.substring(0, first);
    String secret = entry.substring(first + 1, last);
    if (!ID.matcher(id).matches()) {
      throw new ConfigException("api.tokens", "token id \"" + id + "\" must be 1 to 64 letters, digits, '.', '_' "
          + "or '-'");
    }
    byte[] digest;
    if (DIGEST.matcher(secret).matches()) {
      digest = HexFormat.of().parseHex(secret.substring("sha256-".length()));
    } else if (secret.length() >= MIN_SECRET) {
      digest = sha256(secret);
    } else {
      throw new ConfigException("api.tokens", "token \"" + id + "\": the secret must be " + MIN_SECRET
          + " characters at least (e.g. openssl rand -hex 24), or sha256-<hex> of one");
    }
    return new Token(id, digest, scopes(id, entry.substring(last + 1)));
  }

  private static Set<Scope> scopes(String id, String text) {
    Set<Scope> scopes = EnumSet.noneOf(Scope.class);
    for (String s : text.split("\\+")) {
      try {
        scopes.add(Scope.valueOf(s.strip().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("api.tokens", "token \"" + id + "\": unknown scope \"" + s
            + "\" (read, write, admin)");
      }
    }
    return Set.copyOf(scopes);
  }

  /** The SHA-256 of {@code text} (UTF-8). */
  public static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
