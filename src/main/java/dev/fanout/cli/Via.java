package dev.fanout.cli;

import dev.fanout.bus.FetchSpec;
import dev.fanout.config.FanoutConfig;
import dev.fanout.net.Cidr;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whether {@code fanout fetch} goes through a running fanout, and what it may ask of it: the
 * server's egress policy ({@code GET /v1/egress}) governs its fetches, so the command never asks
 * for more than it allows, and only a server whose policy is the local one is used unasked.
 * Called from the command's own thread (it waits), never an event loop.
 */
final class Via {
  /** The {@code fetch.*} settings a streamed request carries (as query parameters); the others are the server's. */
  static final Set<String> SENT = Set.of("concurrency", "timeoutMs", "deadlineMs", "retries", "maxBytes", "capture");
  private static final long ASK_MS = 5_000;

  private Via() {}

  /**
   * The {@code fetch.*} keys whose local value differs from the built-in default and that a
   * request cannot carry (per-host limits, redirects, connections...): a server applies its own.
   */
  static List<String> serverOwned(JsonObject config) {
    JsonObject builtIn = FanoutConfig.load(null, Map.of(), Map.of()).getJsonObject("fetch");
    JsonObject mine = config.getJsonObject("fetch");
    List<String> out = new ArrayList<>();
    for (String key : new TreeSet<>(mine.fieldNames())) {
      if (!SENT.contains(key) && !same(mine.getValue(key), builtIn.getValue(key))) {
        out.add("fetch." + key);
      }
    }
    return out;
  }

  private static boolean same(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) {
      return new BigDecimal(x.toString()).compareTo(new BigDecimal(y.toString())) == 0;
    }
    return Objects.equals(a, b);
  }

  /**
   * The fanout serving from {@code cfg}'s data directory ({@code serving.json}, its process
   * alive) when its egress policy is exactly {@code cfg}'s, else empty: not serving, not
   * answering, refusing the token, or another policy (then the local run applies the local one).
   */
  static Optional<String> discover(Vertx vertx, FanoutConfig cfg, String token) {
    Optional<String> url = ServingFile.url(cfg);
    if (url.isEmpty()) {
      return url;
    }
    // any failure (a sneaky checked one too: await throws the cause as it is) means: not this one
    JsonObject theirs = policy(vertx, url.get(), token).otherwiseEmpty().await();
    return theirs != null && blocks(theirs, "allow").equals(strings(cfg.egress().allow()))
        && blocks(theirs, "deny").equals(strings(cfg.egress().deny())) ? url : Optional.empty();
  }

  /**
   * The server's egress policy, {@code {allow, deny}}; fails with {@link Refused} when it answers
   * otherwise than 200, or with the connection's failure.
   */
  static Future<JsonObject> policy(Vertx vertx, String base, String token) {
    WebClient client = WebClient.create(vertx, new WebClientOptions().setConnectTimeout((int) ASK_MS));
    HttpRequest<Buffer> req = client.getAbs(base + "/v1/egress").timeout(ASK_MS);
    if (token != null) {
      req.putHeader("Authorization", "Bearer " + token);
    }
    return req.send().compose((HttpResponse<Buffer> r) -> r.statusCode() == 200
            ? Future.succeededFuture(r.bodyAsJsonObject())
            : Future.<JsonObject>failedFuture(new Refused(base, r.statusCode(), r.bodyAsString())))
        .onComplete(ar -> client.close());
  }

  /**
   * The blocks of {@code asked} that the server's {@code allow} list does not cover: fetching
   * them through it would be blocked there, and allowing them is not the command's to do.
   */
  static List<String> notAllowed(List<Cidr> asked, JsonObject policy) {
    List<Cidr> theirs = new ArrayList<>();
    JsonArray allow = policy.getJsonArray("allow", new JsonArray());
    for (int i = 0; i < allow.size(); i++) {
      theirs.add(Cidr.parse(allow.getString(i)));
    }
    List<String> out = new ArrayList<>();
    for (Cidr a : asked) {
      if (theirs.stream().noneMatch(b -> b.network().length == a.network().length && b.prefix() <= a.prefix()
          && b.contains(a.network()))) {
        out.add(a.toString());
      }
    }
    return out;
  }

  /** Refuses (exit 2) blocks of {@code --allow} that the egress policy of the server at {@code base} does not allow. */
  static void checkAllowed(Vertx vertx, String base, String token, List<Cidr> asked) {
    JsonObject policy = policy(vertx, base, token)
        .recover(e -> Future.failedFuture(e instanceof Refused ? e : new RemoteFetch.Broken(base, e))).await();
    List<String> wider = notAllowed(asked, policy);
    if (!wider.isEmpty()) {
      throw new InputFailure("--allow " + String.join(", ", wider) + ": the fanout at " + base
          + " does not allow it (its egress.allow is " + policy.getJsonArray("allow") + "), and --via never widens "
          + "a server's egress policy: allow it there, or fetch here with --local");
    }
  }

  /** The gather settings of a streamed request: this run's, so the server fetches as the local run would. */
  static String query(FanoutConfig cfg, boolean ordered) {
    FetchSpec.Options d = cfg.fetch().defaults();
    return "concurrency=" + cfg.fetch().concurrency() + "&ordered=" + ordered
        + "&timeoutMs=" + d.timeouts().attemptMs() + "&deadlineMs=" + d.timeouts().deadlineMs()
        + "&retries=" + d.retries() + "&maxBytes=" + d.maxBytes() + "&capture=" + d.capture().wire();
  }

  /** {@code --token}, else {@code FANOUT_API_TOKEN}, else null. */
  static String token(String option) {
    String t = option != null ? option : System.getenv("FANOUT_API_TOKEN");
    return t == null || t.isBlank() ? null : t.strip();
  }

  private static Set<String> blocks(JsonObject policy, String key) {
    Set<String> out = new TreeSet<>();
    JsonArray a = policy.getJsonArray(key, new JsonArray());
    for (int i = 0; i < a.size(); i++) {
      out.add(Cidr.parse(a.getString(i)).toString());
    }
    return out;
  }

  private static Set<String> strings(List<Cidr> cidrs) {
    Set<String> out = new TreeSet<>();
    cidrs.forEach(c -> out.add(c.toString()));
    return out;
  }

  /** A fanout answered a request of the command with an error status. */
  static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    Refused(String base, int status, String body) {
      super("the fanout at " + base + " answered HTTP " + status + detail(body), null, false, false);
      this.status = status;
    }

    /** Exit 2 for what the command asked wrongly (400, 401, 403, 413), else 1. */
    int exitCode() {
      return status == 400 || status == 401 || status == 403 || status == 413 ? 2 : 1;
    }

    private static String detail(String body) {
      try {
        JsonObject p = new JsonObject(body);
        String field = p.getString("field");
        return ": " + p.getString("detail", "") + (field == null ? "" : " (" + field + ")");
      } catch (RuntimeException e) {
        return "";
      }
    }
  }
}
