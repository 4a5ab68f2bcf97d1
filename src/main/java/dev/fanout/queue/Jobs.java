package dev.fanout.queue;

import static dev.fanout.queue.JobColumn.ATTEMPT;
import static dev.fanout.queue.JobColumn.ATTEMPTED_AT;
import static dev.fanout.queue.JobColumn.BATCH_ID;
import static dev.fanout.queue.JobColumn.CLAIMED_BY;
import static dev.fanout.queue.JobColumn.CREATED_AT;
import static dev.fanout.queue.JobColumn.ERRORS;
import static dev.fanout.queue.JobColumn.FINALIZED_AT;
import static dev.fanout.queue.JobColumn.ID;
import static dev.fanout.queue.JobColumn.IDEMPOTENCY_KEY;
import static dev.fanout.queue.JobColumn.KIND;
import static dev.fanout.queue.JobColumn.LEASE_UNTIL;
import static dev.fanout.queue.JobColumn.MAX_ATTEMPTS;
import static dev.fanout.queue.JobColumn.PAYLOAD;
import static dev.fanout.queue.JobColumn.PRIORITY;
import static dev.fanout.queue.JobColumn.QUEUE;
import static dev.fanout.queue.JobColumn.RESULT;
import static dev.fanout.queue.JobColumn.RUN_AT;
import static dev.fanout.queue.JobColumn.STATE;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.UUID;

/**
 * Job rows as the API shows them, read from one answer by column name ({@link JobColumn}: the
 * names are looked up once per answer, not per row). A column that cannot be read (a JSON document
 * the parser refuses, a time that is infinite or outside PostgreSQL's range as the client reads it
 * back) is shown as null, and the row gets {@code "invalid": {field: why}}; it never fails the rows
 * read with it.
 */
final class Jobs {
  /** PostgreSQL's first and last years: a time the client reads outside them is a stand-in, not the stored time. */
  private static final int MIN_YEAR = -4713;
  private static final int MAX_YEAR = 294276;
  /** How much of a parser's message an {@code invalid} entry keeps. */
  private static final int MAX_WHY = 300;

  /** Where each {@link JobColumn} is in the answer, by ordinal. */
  private final int[] at;
  /**
   * The last time read per column and its text: the rows of one answer share most of their times
   * (a claim's attemptedAt and leaseUntil are its statement's now(), as an enqueue's createdAt
   * is), so each distinct one is formatted once, not once per row.
   */
  private final OffsetDateTime[] lastTime = new OffsetDateTime[JobColumn.values().length];
  private final String[] lastText = new String[JobColumn.values().length];

  private Jobs(int[] at) {
    this.at = at;
  }

  /** A reader of the rows of {@code rows}, which selected {@link JobColumn#list}. */
  static Jobs of(RowSet<Row> rows) {
    return new Jobs(JobColumn.positions(rows.columnsNames()));
  }

  long id(Row r) {
    return r.getLong(at[ID.ordinal()]);
  }

  int attempt(Row r) {
    return r.getInteger(at[ATTEMPT.ordinal()]);
  }

  int maxAttempts(Row r) {
    return r.getInteger(at[MAX_ATTEMPTS.ordinal()]);
  }

  String state(Row r) {
    return r.getString(at[STATE.ordinal()]);
  }

  /**
   * How long the job of {@code r}, just claimed, waited to start: from the later of its run_at and
   * created_at to its attempted_at (all the database's clock, so no skew with this node's); -1
   * when one of them is not a time the API could show. Read from the row, not from its JSON.
   */
  long waitedNanos(Row r) {
    try {
      OffsetDateTime runAt = r.getOffsetDateTime(at[RUN_AT.ordinal()]);
      OffsetDateTime created = r.getOffsetDateTime(at[CREATED_AT.ordinal()]);
      OffsetDateTime attempted = r.getOffsetDateTime(at[ATTEMPTED_AT.ordinal()]);
      if (!shown(runAt) || !shown(created) || !shown(attempted)) {
        return -1;
      }
      OffsetDateTime from = runAt.isAfter(created) ? runAt : created;
      return Math.max(0, Duration.between(from, attempted).toNanos());
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /** Whether {@code t} is a stored time, not infinity or a stand-in past PostgreSQL's range. */
  private static boolean shown(OffsetDateTime t) {
    return t != null && !t.equals(OffsetDateTime.MIN) && !t.equals(OffsetDateTime.MAX) && t.getYear() >= MIN_YEAR
        && t.getYear() <= MAX_YEAR;
  }

  /** A row as API JSON. */
  JsonObject toJson(Row r) {
    JsonObject invalid = new JsonObject();
    Object errors = json(r.getString(at[ERRORS.ordinal()]), "errors", invalid);
    UUID batch = r.getUUID(at[BATCH_ID.ordinal()]);
    JsonObject job = new JsonObject(new LinkedHashMap<>(32)) // its 18 or 19 fields, without a resize
        .put("id", id(r))
        .put("kind", r.getString(at[KIND.ordinal()]))
        .put("queue", r.getString(at[QUEUE.ordinal()]))
        .put("state", state(r))
        .put("attempt", attempt(r))
        .put("maxAttempts", maxAttempts(r))
        .put("priority", r.getInteger(at[PRIORITY.ordinal()]))
        .put("payload", json(r.getString(at[PAYLOAD.ordinal()]), "payload", invalid))
        .put("result", json(r.getString(at[RESULT.ordinal()]), "result", invalid))
        .put("errors", errors instanceof JsonArray a ? a : new JsonArray())
        .put("batch", batch == null ? null : batch.toString())
        .put("idempotencyKey", r.getString(at[IDEMPOTENCY_KEY.ordinal()]))
        .put("runAt", time(r, RUN_AT, "runAt", invalid))
        .put("leaseUntil", time(r, LEASE_UNTIL, "leaseUntil", invalid))
        .put("claimedBy", r.getString(at[CLAIMED_BY.ordinal()]))
        .put("createdAt", time(r, CREATED_AT, "createdAt", invalid))
        .put("attemptedAt", time(r, ATTEMPTED_AT, "attemptedAt", invalid))
        .put("finalizedAt", time(r, FINALIZED_AT, "finalizedAt", invalid));
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
    if (text.equals("[]")) {
      return new JsonArray(); // a job's errors before its first failure: no parser for it
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

  private String time(Row r, JobColumn column, String field, JsonObject invalid) {
    try {
      OffsetDateTime t = r.getOffsetDateTime(at[column.ordinal()]);
      if (t == null) {
        return null;
      }
      if (t.equals(lastTime[column.ordinal()])) {
        return lastText[column.ordinal()];
      }
      if (shown(t)) {
        String text = iso(t.toInstant());
        lastTime[column.ordinal()] = t;
        lastText[column.ordinal()] = text;
        return text;
      }
    } catch (RuntimeException e) {
      // the same as a stand-in: not a time the API can show
    }
    invalid.put(field, "not a time the API can show (infinite, or at or past the ends of PostgreSQL's range)");
    return null;
  }

  /** {@code at} in ISO-8601 in UTC, as {@link Instant#toString()} writes it. */
  static String iso(Instant at) {
    return DateTimeFormatter.ISO_INSTANT.format(at);
  }
}
