package dev.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.ErrorKind;
import dev.fanout.bus.FetchResult;
import dev.fanout.fetch.CaptureBudget;
import dev.fanout.fetch.FetchPool;
import dev.fanout.testing.Conditions;
import dev.fanout.testing.Fetchers;
import dev.fanout.testing.TargetServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Captured bodies held at once stay within fetch.captureBudgetBytes; fetches wait for it, never fail for it. */
@ExtendWith(VertxExtension.class)
class CaptureBudgetTest {
  private static final int BODY = 100_000;

  @Test
  void captured_bytes_in_flight_stay_within_the_budget(Vertx vertx, VertxTestContext ctx) {
    JsonObject cfg = Fetchers.fetch("captureBudgetBytes", 3 * BODY, "concurrency", 64, "perHost", 64,
        "capture", "text", "instances", 2);
    TargetServer.start(vertx)
        .compose(t -> Fetchers.deploy(vertx, cfg).compose(id -> {
          List<JsonObject> specs = new ArrayList<>();
          for (int i = 0; i < 40; i++) {
            specs.add(new JsonObject().put("url", t.url("/ok?size=" + BODY + "&i=" + i)));
          }
          return Fetchers.all(vertx, specs);
        }))
        .compose(rs -> {
          CaptureBudget budget = FetchPool.limits(vertx).capture();
          ctx.verify(() -> {
            assertThat(rs).hasSize(40).allMatch(FetchResult::ok);
            assertThat(rs).allSatisfy(r -> assertThat(r.body()).hasSize(BODY));
            assertThat(budget.peak()).isPositive().isLessThanOrEqualTo(3L * BODY);
          });
          return Conditions.until(vertx, () -> budget.used() == 0, 5_000);
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void a_body_larger_than_the_whole_budget_is_too_large(Vertx vertx, VertxTestContext ctx) {
    TargetServer.start(vertx)
        .compose(t -> Fetchers.deploy(vertx, Fetchers.fetch("captureBudgetBytes", BODY, "capture", "base64"))
            .compose(id -> Fetchers.get(vertx, t.url("/big?size=" + (2 * BODY)))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.ok()).isFalse();
          assertThat(r.error().kind()).isEqualTo(ErrorKind.TOO_LARGE);
          assertThat(r.error().message()).contains("fetch.captureBudgetBytes");
          assertThat(FetchPool.limits(vertx).capture().used()).isZero();
          ctx.completeNow();
        })));
  }

  @Test
  void a_compressed_body_is_admitted_by_its_cap_not_its_content_length(Vertx vertx, VertxTestContext ctx) {
    // Content-Length counts the gzipped bytes; the captured body is the decompressed one
    TargetServer.start(vertx)
        .compose(t -> Fetchers.deploy(vertx, Fetchers.fetch("captureBudgetBytes", BODY, "capture", "text",
                "maxBytes", BODY))
            .compose(id -> Fetchers.get(vertx, t.url("/gzip?size=" + (BODY / 2)))))
        .compose(r -> {
          ctx.verify(() -> {
            assertThat(r.ok()).as(String.valueOf(r.error())).isTrue();
            assertThat(r.body()).hasSize(BODY / 2);
          });
          // given back just after the reply is sent, on the fetcher's event loop
          return Conditions.until(vertx, () -> FetchPool.limits(vertx).capture().used() == 0, 5_000);
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void a_chunked_body_past_the_budget_is_too_large_and_gives_it_back(Vertx vertx, VertxTestContext ctx) {
    // no Content-Length: the fetch holds the budget up to its cap while it streams
    TargetServer.start(vertx)
        .compose(t -> Fetchers.deploy(vertx, Fetchers.fetch("captureBudgetBytes", BODY, "capture", "text"))
            .compose(id -> Fetchers.get(vertx, t.url("/endless"))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.error().kind()).isEqualTo(ErrorKind.TOO_LARGE);
          assertThat(FetchPool.limits(vertx).capture().used()).isZero();
          ctx.completeNow();
        })));
  }
}
