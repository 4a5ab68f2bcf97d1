package dev.fanout.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.FetchResult;
import dev.fanout.testing.Fetchers;
import dev.fanout.testing.TargetServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A fetcher forgets a host's state only when nothing of it is left: a host whose queued fetch
 * started as another ended still holds its per-host cap for fetches that arrive next.
 */
@ExtendWith(VertxExtension.class)
class HostEvictionTest {

  /** Two fetches at once, then, as soon as the first ends (the second starts then), two more; {@code rounds} times. */
  private static Future<Void> waves(Vertx vertx, TargetServer t, int rounds) {
    if (rounds == 0) {
      return Future.succeededFuture();
    }
    Future<FetchResult> first = Fetchers.get(vertx, t.url("/delay?ms=150&r=" + rounds + "a"));
    Future<FetchResult> second = Fetchers.get(vertx, t.url("/delay?ms=150&r=" + rounds + "b"));
    return first.compose(r -> waves(vertx, t, rounds - 1)).compose(v -> second).mapEmpty();
  }

  @Test
  void a_host_with_a_fetch_in_flight_keeps_its_cap(Vertx vertx, VertxTestContext ctx) {
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, Fetchers.fetch("perHost", 1, "retries", 0))
            .compose(id -> waves(vertx, t, 4))
            .map(v -> {
              ctx.verify(() -> {
                assertThat(t.requests()).isEqualTo(8);
                assertThat(t.maxInFlight()).isEqualTo(1);
              });
              return v;
            }))
        .onComplete(ctx.succeedingThenComplete());
  }
}
