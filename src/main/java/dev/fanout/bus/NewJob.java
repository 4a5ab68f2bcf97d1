package dev.fanout.bus;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A job to enqueue: {@code {"kind", "payload", "queue"?, "priority"?, "runAt"?, "maxAttempts"?,
 * "idempotencyKey"?}}.
 *
 * @param kind which handler runs it (consumers of {@code fanout.job.<kind>})
 * @param queue a label for grouping (default "default")
 * @param payload the handler's input
 * @param priority higher runs first, -32768..32767 (default 0)
 * @param runAt not before this time, or null for now
 * @param maxAttempts attempts before the job is discarded (default 5)
 * @param idempotencyKey enqueueing the same key again returns the existing job, or null
 */
public record NewJob(String kind, String queue, JsonObject payload, int priority, Instant runAt, int maxAttempts,
    String idempotencyKey) {

  private static final Set<String> FIELDS = Set.of("kind", "queue", "payload", "priority", "runAt", "maxAttempts", "idempotencyKey");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** Parses and validates; fails with {@link InvalidRequest} naming the field. */
  public static NewJob fromJson(JsonObject o) {
    for (String f : o.fieldNames()) {
      if (!FIELDS.contains(f)) {
        throw new InvalidRequest(f, "unknown field (known: " + String.join(", ", new java.util.TreeSet<>(FIELDS)) + ")");
      }
    }
    String kind = Json.string(o, "kind");
    if (kind == null || !NAME.matcher(kind).matches()) {
      throw new InvalidRequest("kind", "is required: letters, digits, '.', '_' or '-', at most 64");
    }
    String queue = Json.string(o, "queue");
    if (queue != null && !NAME.matcher(queue).matches()) {
      throw new InvalidRequest("queue", "must be letters, digits, '.', '_' or '-', at most 64");
    }
    JsonObject payload = Json.object(o, "payload");
    Long priority = Json.number(o, "priority", Short.MIN_VALUE, Short.MAX_VALUE);
    Long maxAttempts = Json.number(o, "maxAttempts", 1, 1000);
    String key = Json.string(o, "idempotencyKey");
    if (key != null && (key.isEmpty() || key.length() > 256)) {
      throw new InvalidRequest("idempotencyKey", "must be 1 to 256 characters");
    }
    String runAt = Json.string(o, "runAt");
    Instant at = null;
    if (runAt != null) {
      try {
        at = Instant.parse(runAt);
      } catch (DateTimeParseException e) {
        throw new InvalidRequest("runAt", "must be an ISO-8601 instant such as 2026-01-01T00:00:00Z");
      }
    }
    return new NewJob(kind, queue == null ? "default" : queue, payload == null ? new JsonObject() : payload,
        priority == null ? 0 : priority.intValue(), at, maxAttempts == null ? 5 : maxAttempts.intValue(), key);
  }
}
