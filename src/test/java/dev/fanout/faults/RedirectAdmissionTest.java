package dev.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.FetchResult;
import dev.fanout.bus.HostShards;
import dev.fanout.fetch.FetchPool;
import dev.fanout.testing.Conditions;
import dev.fanout.testing.Fetchers;
import dev.fanout.testing.TargetServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** An accepted fetch is never refused later: a redirect handed to another shard skips admission. */
@ExtendWith(VertxExtension.class)
class RedirectAdmissionTest {

  @Test
  void redirect_to_another_shard_is_not_refused_when_the_queue_is_full(Vertx vertx, VertxTestContext ctx) {
    // two fetchers; one slot per host; room for one queued fetch
    JsonObject cfg = Fetchers.fetch("instances", 2, "perHost", 1, "maxQueued", 1, "retries", 0);
    TargetServer.startMany(vertx, 8, new AtomicInteger(), new AtomicInteger())
        .compose(ts -> Fetchers.deploy(vertx, cfg).compose(id -> {
          TargetServer from = ts.get(0);
          TargetServer to = ts.stream().filter(t -> owner(t) != owner(from)).findFirst().orElseThrow();
          TargetServer hang = ts.stream().filter(t -> t != from && t != to).findFirst().orElseThrow();
          String hangUrl = hang.url("/hang");
          JsonObject hold = new JsonObject().put("url", hangUrl).put("timeoutMs", 1500);
          // the hanging host's slot is held; the redirect is answered after 300 ms
          Future<FetchResult> first = Fetchers.fetch(vertx, hold);
          return Conditions.until(vertx, () -> hang.inFlight() == 1, 5_000).compose(v -> {
            String target = URLEncoder.encode(to.url("/ok"), StandardCharsets.UTF_8);
            Future<FetchResult> redirected = Fetchers.get(vertx, from.url("/to?ms=300&url=" + target));
            return Conditions.until(vertx, () -> from.inFlight() == 1, 5_000)
                .compose(w -> {
                  // a second fetch of the hanging host waits for its slot: the queue is full when the redirect comes
                  Future<FetchResult> queued = Fetchers.fetch(vertx, hold.copy().put("url", hangUrl + "?2"));
                  return Conditions.until(vertx, () -> FetchPool.limits(vertx).queued() == 1, 5_000)
                      .compose(x -> Future.all(first, redirected, queued))
                      .map(cf -> cf.<FetchResult>resultAt(1));
                });
          });
        }))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.error()).isNull();
          assertThat(r.ok()).isTrue();
          assertThat(r.redirects()).isEqualTo(1);
          ctx.completeNow();
        })));
  }

  private static int owner(TargetServer t) {
    return HostShards.shardOf(HostShards.hostKey("127.0.0.1", t.port())) % 2;
  }
}
