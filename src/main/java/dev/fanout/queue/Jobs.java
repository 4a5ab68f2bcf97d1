package dev.fanout.queue;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;

/**
 * A job row as the API shows it. A column that cannot be read (a JSON document the parser
 * refuses, a time that is infinite or outside PostgreSQL's range as the client reads it back) is
 * shown as null, and the row gets {@code "invalid": {field: why}}; it never fails the rows read
 * with it.
 */
final class Jobs {
  private Jobs() {}

  /** The earliest and latest years PostgreSQL holds: a time the client reads outside them is a stand-in, not the stored time. */
  private static final int MIN_YEAR = -4713;
  private static final int MAX_YEAR = 294276;
  /** How much of a parser's message an {@code invalid} entry keeps. */
  private static final int MAX_WHY = 300;

  /** A row of {@link JobSql#COLUMNS} (in that order) as API JSON. */
  static JsonObject toJson(Row r) {
    JsonObject invalid = new JsonObject();
    Object errors = json(r.getString(10), "errors", invalid);
    JsonObject job = new JsonObject()
        .put("id", r.getLong(0))
        .put("kind", r.getString(1))
        .put("queue", r.getString(2))
        .put("state", r.getString(3))
        .put("attempt", r.getInteger(7))
        .put("maxAttempts", r.getInteger(8))
        .put("priority", r.getInteger(5))
        .put("payload", json(r.getString(4), "payload", invalid))
        .put("result", json(r.getString(11), "result", invalid))
        .put("errors", errors instanceof JsonArray a ? a : new JsonArray())
        .put("batch", r.getUUID(12) == null ? null : r.getUUID(12).toString())
        .put("idempotencyKey", r.getString(13))
        .put("runAt", time(r, 6, "runAt", invalid))
        .put("leaseUntil", time(r, 9, "leaseUntil", invalid))
        .put("createdAt", time(r, 14, "createdAt", invalid))
        .put("attemptedAt", time(r, 15, "attemptedAt", invalid))
        .put("finalizedAt", time(r, 16, "finalizedAt", invalid));
    return invalid.isEmpty() ? job : job.put("invalid", invalid);
  }

  /** Why a row from {@link #toJson} cannot be read, or null when it can. */
  static String invalid(JsonObject job) {
    if (!(job.getValue("invalid") instanceof JsonObject invalid)) {
      return null;
    }
    StringBuilder why = new StringBuilder("the job's row cannot be read:");
    invalid.forEach(e -> why.append(' ').append(e.getKey()).append(": ").append(e.getValue()).append(';'));
    return why.substring(0, why.length() - 1);
  }

  private static Object json(String text, String field, JsonObject invalid) {
    if (text == null) {
      return null;
    }
    try {
      Object v = Json.decodeValue(text);
      return v == null || v instanceof JsonObject || v instanceof JsonArray ? v : v.toString();
    } catch (RuntimeException e) {
      String why = String.valueOf(e.getMessage());
      invalid.put(field, why.length() > MAX_WHY ? why.substring(0, MAX_WHY) + "..." : why);
      return null;
    }
  }

  private static String time(Row r, int column, String field, JsonObject invalid) {
    try {
      OffsetDateTime t = r.getOffsetDateTime(column);
      if (t == null) {
        return null;
      }
      if (!t.equals(OffsetDateTime.MIN) && !t.equals(OffsetDateTime.MAX) && t.getYear() >= MIN_YEAR && t.getYear() <= MAX_YEAR) {
        return iso(t.toInstant());
      }
    } catch (RuntimeException e) {
      // the same as a stand-in: not a time the API can show
    }
    invalid.put(field, "not a time the API can show (infinite, or at or past the ends of PostgreSQL's range)");
    return null;
  }

  private static final long YEAR_1000 = Instant.parse("1000-01-01T00:00:00Z").getEpochSecond();
  private static final long YEAR_10000 = Instant.parse("+10000-01-01T00:00:00Z").getEpochSecond();

  /**
   * {@link Instant#toString()}'s text (ISO-8601 in UTC, the fraction in groups of three digits,
   * none when zero), without its formatter: a claim formats four times per job.
   */
  static String iso(Instant at) {
    long secs = at.getEpochSecond();
    if (secs < YEAR_1000 || secs >= YEAR_10000) {
      return at.toString(); // signed or short years, and no LocalDate for the ends of Instant's range
    }
    int nano = at.getNano();
    long days = Math.floorDiv(secs, 86_400);
    int sod = (int) Math.floorMod(secs, 86_400);
    LocalDate d = LocalDate.ofEpochDay(days);
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
