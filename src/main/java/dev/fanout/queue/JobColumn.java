package dev.fanout.queue;

import java.util.List;

/**
 * The columns of a job row as {@link Jobs} reads it, in one place: every statement that answers
 * jobs (the claim's {@code RETURNING}, get, list, cancel, retry) selects {@link #list}, and the
 * reader finds each column by its name in the answer. The JSON columns come as text and are
 * parsed per row: a document the client's parser refuses (too deep, a number too long) then fails
 * that row alone, where the client's own jsonb decoding fails the whole statement and closes its
 * connection.
 */
enum JobColumn {
  ID("id", false),
  KIND("kind", false),
  QUEUE("queue", false),
  STATE("state", false),
  PAYLOAD("payload", true),
  PRIORITY("priority", false),
  RUN_AT("run_at", false),
  ATTEMPT("attempt", false),
  MAX_ATTEMPTS("max_attempts", false),
  LEASE_UNTIL("lease_until", false),
  ERRORS("errors", true),
  RESULT("result", true),
  BATCH_ID("batch_id", false),
  IDEMPOTENCY_KEY("idempotency_key", false),
  CREATED_AT("created_at", false),
  ATTEMPTED_AT("attempted_at", false),
  FINALIZED_AT("finalized_at", false),
  CLAIMED_BY("claimed_by", false);

  private static final JobColumn[] ALL = values();

  /** The column's name in the table and in the answer. */
  final String column;
  /** A jsonb column, selected as text. */
  private final boolean asText;

  JobColumn(String column, boolean asText) {
    this.column = column;
    this.asText = asText;
  }

  /** The select list of a job row, each column qualified by {@code prefix} ("" or "j."). */
  static String list(String prefix) {
    StringBuilder sql = new StringBuilder();
    for (JobColumn c : ALL) {
      if (sql.length() > 0) {
        sql.append(", ");
      }
      sql.append(prefix).append(c.column);
      if (c.asText) {
        sql.append("::text AS ").append(c.column);
      }
    }
    return sql.toString();
  }

  /**
   * Where each column (by ordinal) is in an answer whose columns are {@code names}.
   *
   * @throws IllegalStateException when a column is missing: a statement that does not select {@link #list}
   */
  static int[] positions(List<String> names) {
    int[] at = new int[ALL.length];
    for (JobColumn c : ALL) {
      at[c.ordinal()] = names.indexOf(c.column);
      if (at[c.ordinal()] < 0) {
        throw new IllegalStateException("no column " + c.column + " in " + names);
      }
    }
    return at;
  }
}
