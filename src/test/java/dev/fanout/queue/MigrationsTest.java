package dev.fanout.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.testing.TestDb;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class MigrationsTest {
  Pool a;
  Pool b;

  @Test
  void applies_once_even_when_two_nodes_start_together(Vertx vertx, VertxTestContext ctx) {
    vertx.executeBlocking(TestDb::url).compose(url -> TestDb.freshSchema(vertx)).compose(schema -> {
      a = PgBuilder.pool().connectingTo(TestDb.options(schema)).using(vertx).build();
      b = PgBuilder.pool().connectingTo(TestDb.options(schema)).using(vertx).build();
      return Future.all(Migrations.apply(a), Migrations.apply(b))
          .compose(cf -> Migrations.apply(a)
              .map(again -> new int[] {cf.<Integer>resultAt(0), cf.<Integer>resultAt(1), again}))
          .compose(counts -> a.query("SELECT count(*) FROM fanout_schema_migrations").execute()
              .compose(rows -> a.query("SELECT count(*) FROM fanout_job").execute().map(jobs -> {
                ctx.verify(() -> {
                  assertThat(counts[0] + counts[1]).isEqualTo(Migrations.FILES.size());
                  assertThat(counts[2]).isZero();
                  assertThat(rows.iterator().next().getLong(0)).isEqualTo(Migrations.FILES.size());
                  assertThat(jobs.iterator().next().getLong(0)).isZero();
                });
                return null;
              })));
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void an_upgrade_keeps_the_batches_of_jobs_enqueued_before_it(Vertx vertx, VertxTestContext ctx) {
    // V006 reads batches through a table of id ranges: it fills it from the jobs already there
    UUID batch = UUID.randomUUID();
    vertx.executeBlocking(TestDb::url).compose(url -> TestDb.freshSchema(vertx)).compose(schema -> {
      a = PgBuilder.pool().connectingTo(TestDb.options(schema)).using(vertx).build();
      return Migrations.apply(a, Migrations.FILES.subList(0, 5))
          .compose(n -> a.query(
              "INSERT INTO fanout_job (kind, batch_id) SELECT 'old', '" + batch + "' FROM generate_series(1, 3)")
              .execute())
          .compose(rows -> a.query("INSERT INTO fanout_job (kind) VALUES ('no-batch')").execute())
          .compose(rows -> Migrations.apply(a))
          .compose(applied -> new JobStore(a).batch(batch).map(b -> new Object[] {applied, b}));
    }).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertThat(r[0]).isEqualTo(Migrations.FILES.size() - 5);
      JsonObject b = (JsonObject) r[1];
      assertThat(b.getLong("total")).isEqualTo(3);
      assertThat(b.getJsonObject("counts").getLong("available")).isEqualTo(3);
      ctx.completeNow();
    })));
  }

  @Test
  void no_index_covers_a_column_the_claim_changes(Vertx vertx, VertxTestContext ctx) {
    // a claim is written in place (HOT) only while none of the columns it changes is an index key
    // or in an index's WHERE; an index on one of them would make every claim write every index
    vertx.executeBlocking(TestDb::url).compose(url -> TestDb.freshSchema(vertx)).compose(schema -> {
      a = PgBuilder.pool().connectingTo(TestDb.options(schema)).using(vertx).build();
      return Migrations.apply(a).compose(n -> a.query("""
          SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid),
            coalesce(pg_get_expr(i.indpred, i.indrelid), '')
          FROM pg_index i WHERE i.indrelid = 'fanout_job'::regclass""").execute());
    }).onComplete(ctx.succeeding(rows -> ctx.verify(() -> {
      assertThat(rows.size()).isGreaterThanOrEqualTo(4);
      for (Row r : rows) {
        String def = r.getString(1).substring(r.getString(1).indexOf(" USING ")) + " " + r.getString(2);
        assertThat(def).as(r.getString(0)).doesNotContain("state", "attempt", "lease_until");
      }
      ctx.completeNow();
    })));
  }
}
