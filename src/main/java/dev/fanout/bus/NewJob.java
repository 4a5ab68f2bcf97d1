package dev.fanout.bus;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.TreeSet;

/**
 * A job to enqueue: {@code {"kind", "payload", "queue"?, "priority"?, "runAt"?, "maxAttempts"?,
 * "idempotencyKey"?}}.
 *
 * @param kind which handler runs it (consumers of {@code fanout.job.<kind>})
 * @param queue a label for grouping (default "default")
 * @param payload the handler's input: JSON that jsonb stores unchanged ({@link Json#storable})
 * @param priority higher runs first, -32768..32767 (default 0)
 * @param runAt not before this time (years 1 to 9999, whole microseconds), or null for now
 * @param maxAttempts attempts before the job is discarded (default 5)
 * @param idempotencyKey enqueueing the same key again returns the existing job, or null
 */
public record NewJob(String kind, String queue, JsonObject payload, int priority, Instant runAt, int maxAttempts,
    String idempotencyKey) {

  private static final Set<String> FIELDS =
      Set.of("kind", "queue", "payload", "priority", "runAt", "maxAttempts", "idempotencyKey");
  /**
   * The runAt range: years 1 to 9999 in UTC. PostgreSQL's timestamptz holds 4713 BC to 294276
   * AD, but the client decodes a year before 1 as an error on every read of the row, and a
   * year past 9999 is a typo, not a schedule.
   */
  static final Instant MIN_RUN_AT = Instant.parse("0001-01-01T00:00:00Z");
  static final Instant MAX_RUN_AT = Instant.parse("9999-12-31T23:59:59.999999Z");

  /** Parses and validates; fails with {@link InvalidRequest} naming the field. */
  public static NewJob fromJson(JsonObject o) {
    for (String f : o.fieldNames()) {
      if (!FIELDS.contains(f)) {
        throw new InvalidRequest(f, "unknown field (known: " + String.join(", ", new TreeSet<>(FIELDS)) + ")");
      }
    }
    String kind = Json.string(o, "kind");
    if (kind == null) {
      throw new InvalidRequest("kind", "is required: the job's kind, e.g. \"fetch\"");
    }
    if (!isName(kind)) {
      throw new InvalidRequest("kind", "must be 1 to 64 letters, digits, '.', '_' or '-'");
    }
    String queue = Json.string(o, "queue");
    if (queue != null && !isName(queue)) {
      throw new InvalidRequest("queue", "must be letters, digits, '.', '_' or '-', at most 64");
    }
    JsonObject payload = Json.object(o, "payload");
    Json.storable("payload", payload);
    Long priority = Json.number(o, "priority", Short.MIN_VALUE, Short.MAX_VALUE);
    Long maxAttempts = Json.number(o, "maxAttempts", 1, 1000);
    String key = Json.text("idempotencyKey", Json.string(o, "idempotencyKey"), true);
    if (key != null && (key.isEmpty() || key.length() > 256)) {
      throw new InvalidRequest("idempotencyKey", "must be 1 to 256 characters");
    }
    String runAt = Json.string(o, "runAt");
    Instant at = runAt == null ? null : instant(runAt);
    return new NewJob(kind, queue == null ? "default" : queue, payload == null ? new JsonObject() : payload,
        priority == null ? 0 : priority.intValue(), at, maxAttempts == null ? 5 : maxAttempts.intValue(), key);
  }

  private static Instant instant(String text) {
    Instant at;
    try {
      at = Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new InvalidRequest("runAt", "must be an ISO-8601 instant such as 2026-01-01T00:00:00Z");
    }
    if (at.isBefore(MIN_RUN_AT) || at.isAfter(MAX_RUN_AT)) {
      throw new InvalidRequest("runAt",
          "must be from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z (got " + text + ")");
    }
    if (at.getNano() % 1000 != 0) {
      throw new InvalidRequest("runAt", "has more precision than the microseconds stored (got " + text + ")");
    }
    return at;
  }

  /** A kind or queue name: a letter or digit, then up to 63 letters, digits, '.', '_' or '-'. */
  public static boolean isName(String s) {
    int n = s.length();
    if (n == 0 || n > 64) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      boolean alnum = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
      if (!alnum && (i == 0 || c != '.' && c != '_' && c != '-')) {
        return false;
      }
    }
    return true;
  }
}
