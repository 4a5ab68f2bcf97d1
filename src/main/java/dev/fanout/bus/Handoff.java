package dev.fanout.bus;

import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * A redirected fetch handed to the owner of its new host: the second message a shard address
 * ({@code fanout.fetch.shard.<k>}) takes besides a spec. The owner continues the fetch where the
 * sender left it — never refused for a full queue, since the fetch was admitted already — and
 * replies with its result. As JSON: the spec of the next hop with a {@code handoff} member,
 * {@code {"url": ..., "method": ..., ..., "handoff": {"url", "attempts", "redirects", "elapsedMs",
 * "deadlineLeftMs"}}} (see docs/fetch.md).
 *
 * @param next the next hop: its URL, request and the fetch's resolved options and cancel group
 * @param url the URL first requested (the result's {@code url})
 * @param attempts attempts made so far
 * @param redirects redirects followed so far
 * @param elapsedMs time since the fetch was accepted
 * @param deadlineLeftMs what is left of its deadline
 */
public record Handoff(FetchSpec next, String url, int attempts, int redirects, long elapsedMs, long deadlineLeftMs) {
  /** The JSON member that makes a spec a hand-off. */
  public static final String FIELD = "handoff";
  private static final Set<String> EXTRA = Set.of(FIELD);
  private static final long DAY_MS = 86_400_000L;

  /** Whether {@code json} is a hand-off rather than a plain spec. */
  public static boolean is(JsonObject json) {
    return json.containsKey(FIELD);
  }

  /** Parses a hand-off; fails with {@link InvalidRequest} naming the bad field. */
  public static Handoff fromJson(JsonObject json, FetchSpec.Options defaults) {
    FetchSpec next = FetchSpec.fromJson(json, defaults, EXTRA);
    JsonObject h = Json.object(json, FIELD);
    if (h == null) {
      throw new InvalidRequest(FIELD, "must be an object");
    }
    try {
      String url = Json.string(h, "url");
      if (url == null) {
        throw new InvalidRequest("url", "is required");
      }
      return new Handoff(next, url, (int) required(h, "attempts", 1, Integer.MAX_VALUE),
          (int) required(h, "redirects", 0, Integer.MAX_VALUE), required(h, "elapsedMs", 0, Long.MAX_VALUE),
          required(h, "deadlineLeftMs", 1, DAY_MS));
    } catch (InvalidRequest e) {
      throw e.within(FIELD);
    }
  }

  private static long required(JsonObject h, String field, long min, long max) {
    Long v = Json.number(h, field, min, max);
    if (v == null) {
      throw new InvalidRequest(field, "is required");
    }
    return v;
  }

  /** As JSON: the next hop's spec with the {@code handoff} member. */
  public JsonObject toJson() {
    return next.toJson().put(FIELD, new JsonObject().put("url", url).put("attempts", attempts)
        .put("redirects", redirects).put("elapsedMs", elapsedMs).put("deadlineLeftMs", deadlineLeftMs));
  }
}
