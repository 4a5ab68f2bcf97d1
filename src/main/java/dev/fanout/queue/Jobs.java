package dev.fanout.queue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;

/** A job row as the API shows it. */
final class Jobs {
  private Jobs() {}

  static JsonObject toJson(Row r) {
    JsonObject o = new JsonObject()
        .put("id", r.getLong("id"))
        .put("kind", r.getString("kind"))
        .put("queue", r.getString("queue"))
        .put("state", r.getString("state"))
        .put("attempt", r.getInteger("attempt"))
        .put("maxAttempts", r.getInteger("max_attempts"))
        .put("priority", r.getInteger("priority"))
        .put("payload", json(r.getValue("payload")))
        .put("result", json(r.getValue("result")))
        .put("errors", r.getValue("errors") instanceof JsonArray a ? a : new JsonArray())
        .put("batch", r.getUUID("batch_id") == null ? null : r.getUUID("batch_id").toString())
        .put("idempotencyKey", r.getString("idempotency_key"))
        .put("runAt", time(r.getOffsetDateTime("run_at")))
        .put("leaseUntil", time(r.getOffsetDateTime("lease_until")))
        .put("createdAt", time(r.getOffsetDateTime("created_at")))
        .put("attemptedAt", time(r.getOffsetDateTime("attempted_at")))
        .put("finalizedAt", time(r.getOffsetDateTime("finalized_at")));
    return o;
  }

  private static Object json(Object v) {
    return v == null || v instanceof JsonObject || v instanceof JsonArray ? v : v.toString();
  }

  private static String time(OffsetDateTime t) {
    return t == null ? null : t.toInstant().toString();
  }
}
