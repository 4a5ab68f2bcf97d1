package dev.fanout.queue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;

/** A job row as the API shows it. */
final class Jobs {
  private Jobs() {}

  /** A row of {@link JobSql#COLUMNS} (in that order) as API JSON. */
  static JsonObject toJson(Row r) {
    return new JsonObject()
        .put("id", r.getLong(0))
        .put("kind", r.getString(1))
        .put("queue", r.getString(2))
        .put("state", r.getString(3))
        .put("attempt", r.getInteger(7))
        .put("maxAttempts", r.getInteger(8))
        .put("priority", r.getInteger(5))
        .put("payload", json(r.getValue(4)))
        .put("result", json(r.getValue(11)))
        .put("errors", r.getValue(10) instanceof JsonArray a ? a : new JsonArray())
        .put("batch", r.getUUID(12) == null ? null : r.getUUID(12).toString())
        .put("idempotencyKey", r.getString(13))
        .put("runAt", time(r.getOffsetDateTime(6)))
        .put("leaseUntil", time(r.getOffsetDateTime(9)))
        .put("createdAt", time(r.getOffsetDateTime(14)))
        .put("attemptedAt", time(r.getOffsetDateTime(15)))
        .put("finalizedAt", time(r.getOffsetDateTime(16)));
  }

  private static Object json(Object v) {
    return v == null || v instanceof JsonObject || v instanceof JsonArray ? v : v.toString();
  }

  private static String time(OffsetDateTime t) {
    return t == null ? null : iso(t.toInstant());
  }

  /**
   * {@link Instant#toString()}'s text (ISO-8601 in UTC, the fraction in groups of three digits,
   * none when zero), without its formatter: a claim formats four times per job.
   */
  static String iso(Instant at) {
    long secs = at.getEpochSecond();
    int nano = at.getNano();
    long days = Math.floorDiv(secs, 86_400);
    int sod = (int) Math.floorMod(secs, 86_400);
    LocalDate d = LocalDate.ofEpochDay(days);
    if (d.getYear() < 1000 || d.getYear() > 9999) {
      return at.toString();
    }
    StringBuilder b = new StringBuilder(30).append(d.getYear()).append('-');
    two(b, d.getMonthValue()).append('-');
    two(b, d.getDayOfMonth()).append('T');
    two(b, sod / 3600).append(':');
    two(b, sod / 60 % 60).append(':');
    two(b, sod % 60);
    if (nano != 0) {
      int digits = nano % 1_000_000 == 0 ? 3 : nano % 1000 == 0 ? 6 : 9;
      int value = digits == 3 ? nano / 1_000_000 : digits == 6 ? nano / 1000 : nano;
      String f = Integer.toString(value);
      b.append('.');
      for (int k = f.length(); k < digits; k++) {
        b.append('0');
      }
      b.append(f);
    }
    return b.append('Z').toString();
  }

  private static StringBuilder two(StringBuilder b, int v) {
    return (v < 10 ? b.append('0') : b).append(v);
  }
}
