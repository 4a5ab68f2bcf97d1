package dev.fanout.queue;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Numbered SQL migrations from {@code src/main/resources/db}, applied at start in one
 * transaction under an advisory lock, so two nodes starting together do not race: the second
 * waits, then finds nothing left to do.
 */
public final class Migrations {
  /** Every migration, in order. A new one is a new file here and a new entry. */
  static final List<String> FILES = List.of("V001__jobs.sql", "V002__jobs_vacuum.sql", "V003__jobs_lean.sql",
      "V004__jobs_hot_claim.sql", "V005__jobs_autovacuum.sql", "V006__jobs_batch_ranges.sql",
      "V007__jobs_claimed_by.sql");
  private static final long LOCK_KEY = 0x66616e6f7574L; // "fanout"

  private Migrations() {}

  /** The newest schema version. */
  public static int latest() {
    return version(FILES.get(FILES.size() - 1));
  }

  /** Applies what is missing; completes with how many were applied. */
  public static Future<Integer> apply(Pool pool) {
    return apply(pool, FILES);
  }

  /**
   * Applies what is missing of {@code files} (the first of {@link #FILES}: an older schema, for
   * tests of an upgrade).
   */
  static Future<Integer> apply(Pool pool, List<String> files) {
    return pool.withTransaction(conn -> conn.query("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")").execute()
        // "already exists, skipping" notices are expected here; keep them out of the log
        .compose(v -> conn.query("SET LOCAL client_min_messages = warning").execute())
        .compose(v -> conn.query("CREATE TABLE IF NOT EXISTS fanout_schema_migrations ("
            + "version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())").execute())
        .compose(v -> conn.query("SELECT version FROM fanout_schema_migrations").execute())
        .compose(rows -> {
          Set<Integer> done = new HashSet<>();
          for (Row r : rows) {
            done.add(r.getInteger(0));
          }
          Future<Integer> chain = Future.succeededFuture(0);
          for (String file : files) {
            if (!done.contains(version(file))) {
              chain = chain.compose(n -> run(conn, file).map(n + 1));
            }
          }
          return chain;
        }));
  }

  private static Future<Void> run(SqlConnection conn, String file) {
    return conn.query(read(file)).execute()
        .compose(v -> conn.preparedQuery("INSERT INTO fanout_schema_migrations (version, name) VALUES ($1, $2)")
            .execute(Tuple.of(version(file), file)))
        .mapEmpty();
  }

  static int version(String file) {
    return Integer.parseInt(file.substring(1, file.indexOf("__")));
  }

  private static String read(String file) {
    try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream("db/" + file)) {
      if (in == null) {
        throw new IllegalStateException("migration db/" + file + " is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
