package dev.fanout.queue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes finished attempts, a batch per statement. What jsonb cannot hold as given is made
 * storable first: U+0000 in any string or key becomes U+FFFD. A batch PostgreSQL still refuses
 * as data (SQLSTATE class 22) is written again row by row, so only the row at fault is changed:
 * a completion or cancellation whose result cannot be stored is stored with its result replaced
 * by {@code {"invalidResult": why}}; any other outcome that cannot be stored fails its attempt
 * with an {@code invalid-outcome} error saying why.
 */
final class Outcomes {
  private static final Logger LOG = LoggerFactory.getLogger(Outcomes.class);

  /** The four ways an attempt ends, each with its statement and what it stores. */
  enum Kind {
    COMPLETE(JobSql.COMPLETE, JobStore.Outcome::result, false, "result"),
    FAIL(JobSql.FAIL, JobStore.Outcome::error, true, "error"),
    RESCHEDULE(JobSql.RESCHEDULE, null, true, "snooze"),
    CANCEL(JobSql.CANCEL_RUNNING, JobStore.Outcome::result, false, "cancellation");

    final String sql;
    final Function<JobStore.Outcome, JsonObject> json;
    final boolean delays;
    final String what;

    Kind(String sql, Function<JobStore.Outcome, JsonObject> json, boolean delays, String what) {
      this.sql = sql;
      this.json = json;
      this.delays = delays;
      this.what = what;
    }
  }

  private final Pool pool;

  Outcomes(Pool pool) {
    this.pool = pool;
  }

  /** Writes {@code outcomes} as {@code kind}; completes with the rows changed (attempts that were still theirs). */
  Future<Integer> write(Kind kind, List<JobStore.Outcome> outcomes) {
    if (outcomes.isEmpty()) {
      return Future.succeededFuture(0);
    }
    // in id order: the nested-loop plan these statements get then locks rows in that order, and
    // a deadlock victim all the same is retried
    List<JobStore.Outcome> sorted = new ArrayList<>(outcomes.size());
    outcomes.forEach(o -> sorted.add(storable(o)));
    sorted.sort(Comparator.comparingLong(JobStore.Outcome::id));
    return statement(kind, sorted).recover(e -> dataError(e) && sorted.size() > 1
        ? oneByOne(kind, sorted, 0, 0)
        : dataError(e) ? alone(kind, sorted.get(0), e) : Future.failedFuture(e));
  }

  private Future<Integer> statement(Kind kind, List<JobStore.Outcome> outcomes) {
    Tuple args = Tuple.tuple()
        .addArrayOfLong(outcomes.stream().map(JobStore.Outcome::id).toArray(Long[]::new))
        .addArrayOfInteger(outcomes.stream().map(JobStore.Outcome::attempt).toArray(Integer[]::new));
    if (kind.json != null) {
      args.addValue(outcomes.stream().map(kind.json).toArray(JsonObject[]::new));
    }
    if (kind.delays) {
      args.addArrayOfLong(outcomes.stream().map(JobStore.Outcome::delayMs).toArray(Long[]::new));
    }
    return retry(() -> pool.preparedQuery(kind.sql).execute(args).map(RowSet::rowCount), 3);
  }

  /** The batch was refused as data: each row in its own statement, one after another. */
  private Future<Integer> oneByOne(Kind kind, List<JobStore.Outcome> rows, int from, int changed) {
    if (from == rows.size()) {
      return Future.succeededFuture(changed);
    }
    JobStore.Outcome o = rows.get(from);
    return statement(kind, List.of(o))
        .recover(e -> dataError(e) ? alone(kind, o, e) : Future.failedFuture(e))
        .compose(n -> oneByOne(kind, rows, from + 1, changed + n));
  }

  /** One outcome PostgreSQL refuses: stored in a form it takes, saying why. */
  private Future<Integer> alone(Kind kind, JobStore.Outcome o, Throwable why) {
    String message = "the " + kind.what + " could not be stored: " + why.getMessage();
    LOG.warn("job {} attempt {}: {}", o.id(), o.attempt(), message);
    if (kind == Kind.COMPLETE || kind == Kind.CANCEL) {
      JobStore.Outcome replaced =
          new JobStore.Outcome(o.id(), o.attempt(), new JsonObject().put("invalidResult", message), null, 0);
      return statement(kind, List.of(replaced));
    }
    JsonObject error = new JsonObject().put("at", Instant.now().toString()).put("attempt", o.attempt())
        .put("kind", "invalid-outcome").put("message", message);
    return statement(Kind.FAIL, List.of(new JobStore.Outcome(o.id(), o.attempt(), null, error, o.delayMs())));
  }

  private static boolean dataError(Throwable e) {
    return e instanceof PgException pe && pe.getSqlState() != null && pe.getSqlState().startsWith("22");
  }

  /**
   * Runs {@code write} again (up to {@code tries} in all) when PostgreSQL chose it as a deadlock or
   * serialization victim.
   */
  static <T> Future<T> retry(Supplier<Future<T>> write, int tries) {
    return write.get().recover(e -> tries > 1 && e instanceof PgException pe
        && ("40P01".equals(pe.getSqlState()) || "40001".equals(pe.getSqlState()))
        ? retry(write, tries - 1)
        : Future.failedFuture(e));
  }

  private static JobStore.Outcome storable(JobStore.Outcome o) {
    JsonObject result = withoutNul(o.result());
    JsonObject error = withoutNul(o.error());
    return result == o.result() && error == o.error()
        ? o
        : new JobStore.Outcome(o.id(), o.attempt(), result, error, o.delayMs());
  }

  /**
   * {@code json} with U+0000 (which jsonb refuses) replaced by U+FFFD in every string and key;
   * itself when it has none.
   */
  static JsonObject withoutNul(JsonObject json) {
    return json == null || !hasNul(json) ? json : (JsonObject) replaceNul(json);
  }

  private static boolean hasNul(Object v) {
    if (v instanceof CharSequence s) {
      return s.toString().indexOf('\0') >= 0;
    }
    if (v instanceof JsonObject o) {
      return hasNul(o.getMap());
    }
    if (v instanceof JsonArray a) {
      return hasNul(a.getList());
    }
    if (v instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (hasNul(e.getKey()) || hasNul(e.getValue())) {
          return true;
        }
      }
    } else if (v instanceof List<?> l) {
      for (Object item : l) {
        if (hasNul(item)) {
          return true;
        }
      }
    }
    return false;
  }

  private static Object replaceNul(Object v) {
    if (v instanceof CharSequence s) {
      return s.toString().replace('\0', '\uFFFD');
    }
    Map<?, ?> map = v instanceof JsonObject o ? o.getMap() : v instanceof Map<?, ?> m ? m : null;
    if (map != null) {
      JsonObject copy = new JsonObject(new LinkedHashMap<>(map.size()));
      map.forEach((k, x) -> copy.put(String.valueOf(k).replace('\0', '\uFFFD'), replaceNul(x)));
      return copy;
    }
    List<?> list = v instanceof JsonArray a ? a.getList() : v instanceof List<?> l ? l : null;
    if (list != null) {
      JsonArray copy = new JsonArray(new ArrayList<>(list.size()));
      list.forEach(x -> copy.add(replaceNul(x)));
      return copy;
    }
    return v;
  }
}
