package dev.fanout.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.ErrorKind;
import dev.fanout.bus.FetchResult;
import dev.fanout.testing.Conditions;
import dev.fanout.testing.Fetchers;
import dev.fanout.testing.TargetServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class LimitsTest {

  private static List<JsonObject> specs(int n, String url) {
    List<JsonObject> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new JsonObject().put("url", url));
    }
    return out;
  }

  @Test
  void per_host_limit_is_reached_and_never_exceeded(Vertx vertx, VertxTestContext ctx) {
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, Fetchers.fetch("perHost", 3, "concurrency", 100))
            .compose(id -> Fetchers.all(vertx, specs(40, t.url("/delay?ms=20"))))
            .map(rs -> {
              ctx.verify(() -> {
                assertThat(rs).allMatch(FetchResult::ok);
                assertThat(t.maxInFlight()).isEqualTo(3);
                assertThat(t.requests()).isEqualTo(40);
              });
              return rs;
            }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void per_host_limits_are_independent_per_host(Vertx vertx, VertxTestContext ctx) {
    TargetServer.startMany(vertx, 4, new AtomicInteger(), new AtomicInteger())
        .compose(targets -> Fetchers.deploy(vertx, Fetchers.fetch("perHost", 2, "concurrency", 100))
            .compose(id -> Fetchers.all(vertx, TargetServer.specs(targets, 20, "/delay?ms=20")))
            .map(rs -> {
              ctx.verify(() -> {
                assertThat(rs).hasSize(80).allMatch(FetchResult::ok);
                assertThat(targets).allSatisfy(t -> assertThat(t.maxInFlight()).isEqualTo(2));
              });
              return rs;
            }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void global_cap_bounds_fetches_in_flight_across_hosts(Vertx vertx, VertxTestContext ctx) {
    AtomicInteger max = new AtomicInteger();
    TargetServer.startMany(vertx, 6, new AtomicInteger(), max)
        .compose(targets -> Fetchers.deploy(vertx, Fetchers.fetch("perHost", 10, "concurrency", 5, "instances", 3))
            .compose(id -> Fetchers.all(vertx, TargetServer.specs(targets, 10, "/delay?ms=20"))))
        .onComplete(ctx.succeeding(rs -> ctx.verify(() -> {
          assertThat(rs).hasSize(60).allMatch(FetchResult::ok);
          assertThat(max.get()).isEqualTo(5);
          ctx.completeNow();
        })));
  }

  @Test
  void full_queue_answers_overloaded_at_once(Vertx vertx, VertxTestContext ctx) {
    List<FetchResult> answered = new CopyOnWriteArrayList<>();
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx,
                Fetchers.fetch("perHost", 1, "concurrency", 1, "maxQueued", 2, "timeoutMs", 60_000))
            .compose(id -> {
              Fetchers.get(vertx, t.url("/hang"));
              return Conditions.until(vertx, () -> t.requests() == 1, 5_000);
            })
            .compose(v -> {
              // one runs, two may wait, so two of these four are turned away (which two depends on routing)
              for (int i = 1; i <= 4; i++) {
                Fetchers.get(vertx, t.url("/hang?q=" + i)).onSuccess(answered::add);
              }
              return Conditions.until(vertx, () -> answered.size() >= 2, 5_000);
            })
            .map(v -> {
              ctx.verify(() -> {
                assertThat(answered).hasSize(2).allSatisfy(
                    r -> assertThat(r.errorKind()).isEqualTo(ErrorKind.OVERLOADED));
                assertThat(t.requests()).isEqualTo(1);
              });
              return v;
            }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void rate_limit_spaces_requests_to_a_host(Vertx vertx, VertxTestContext ctx) {
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, Fetchers.fetch("perHost", 10, "perHostRate", 20))
            .compose(id -> Fetchers.all(vertx, specs(5, t.url("/ok?key=r"))))
            .map(rs -> {
              ctx.verify(() -> {
                List<Long> at = t.arrivals("r");
                assertThat(at).hasSize(5);
                // 20/s is one request per 50 ms: the 5th is sent 4 intervals after the 1st. Arrival
                // times at the target carry the 1st request's connection set-up, so allow 15 ms
                // (without the limit all five arrive within a few ms).
                assertThat((at.get(4) - at.get(0)) / 1_000_000).isGreaterThanOrEqualTo(185);
                assertThat((at.get(4) - at.get(1)) / 1_000_000).isGreaterThanOrEqualTo(135);
              });
              return rs;
            }))
        .onComplete(ctx.succeedingThenComplete());
  }
}
