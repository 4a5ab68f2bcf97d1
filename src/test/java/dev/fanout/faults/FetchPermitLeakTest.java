package dev.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.Addresses;
import dev.fanout.bus.ErrorKind;
import dev.fanout.bus.FetchResult;
import dev.fanout.fetch.FetchFaults;
import dev.fanout.fetch.FetchPool;
import dev.fanout.fetch.GlobalLimits;
import dev.fanout.testing.Conditions;
import dev.fanout.testing.Fetchers;
import dev.fanout.testing.TargetServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A throw anywhere in a fetch (starting the attempt, the body handler, the result encoder, the
 * outcome callback) ends that fetch with a reply and gives back its global permit, its host slot
 * and its capture budget: the host and the pool keep working.
 */
@ExtendWith(VertxExtension.class)
class FetchPermitLeakTest {
  /** More fetches than the host's slots and the pool's permits, so one leaked permit each would stall. */
  private static final int FETCHES = 6;
  private static final JsonObject CONFIG = Fetchers.fetch("perHost", 2, "concurrency", 3, "retries", 0,
      "deadlineMs", 20_000);

  @AfterEach
  void clearFaults() {
    FetchFaults.clear();
  }

  @Test
  void a_throw_while_the_request_is_built_fails_the_fetch_and_frees_its_permits(Vertx vertx, VertxTestContext ctx) {
    // Vert.x's header validation throws there (for DEL, say); the edge now refuses such headers
    // (ClientInputTest), so the throw is injected where the request is built
    injectedFaultFreesPermits(vertx, ctx, FetchFaults.Point.START);
  }

  @Test
  void throw_in_the_body_handler_fails_the_fetch_and_frees_its_permits(Vertx vertx, VertxTestContext ctx) {
    injectedFaultFreesPermits(vertx, ctx, FetchFaults.Point.BODY);
  }

  @Test
  void throw_in_the_result_encoder_still_replies_and_frees_its_permits(Vertx vertx, VertxTestContext ctx) {
    injectedFaultFreesPermits(vertx, ctx, FetchFaults.Point.ENCODE);
  }

  @Test
  void throw_in_the_outcome_callback_still_replies_and_frees_its_permits(Vertx vertx, VertxTestContext ctx) {
    injectedFaultFreesPermits(vertx, ctx, FetchFaults.Point.CALLBACK);
  }

  private void injectedFaultFreesPermits(Vertx vertx, VertxTestContext ctx, FetchFaults.Point point) {
    FetchFaults.inject((p, url) -> p == point && url.contains("fault"));
    TargetServer.start(vertx)
        .compose(t -> Fetchers.deploy(vertx, CONFIG.copy().put("fetch",
                CONFIG.getJsonObject("fetch").copy().put("capture", "text")))
            .compose(id -> fetchAll(vertx, t.url("/ok?size=100000&fault=1"), null))
            .compose(rs -> {
              ctx.verify(() -> assertThat(rs).hasSize(FETCHES)
                  .allMatch(r -> !r.ok() && r.error().kind() == ErrorKind.INTERNAL));
              return settledThenFetch(vertx, t.url("/ok?after=1"));
            }))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.ok()).isTrue();
          assertThat(r.body()).hasSize(16);
          ctx.completeNow();
        })));
  }

  /** FETCHES fetches of {@code url}; each must get a reply well within the test's time. */
  private static Future<List<FetchResult>> fetchAll(Vertx vertx, String url, JsonObject headers) {
    List<Future<FetchResult>> all = new ArrayList<>();
    for (int i = 0; i < FETCHES; i++) {
      JsonObject spec = new JsonObject().put("url", url + (url.contains("?") ? "&" : "?") + "i=" + i);
      if (headers != null) {
        spec.put("headers", headers);
      }
      all.add(vertx.eventBus().<JsonObject>request(Addresses.FETCH, spec, new DeliveryOptions().setSendTimeout(10_000))
          .map(m -> FetchResult.fromJson(m.body())));
    }
    return Future.all(all).map(cf -> cf.<FetchResult>list());
  }

  /** Waits until every permit, slot and budget byte is back, then fetches {@code url} from the same host. */
  private static Future<FetchResult> settledThenFetch(Vertx vertx, String url) {
    GlobalLimits limits = FetchPool.limits(vertx);
    return Conditions.until(vertx, () -> limits.inFlight() == 0 && limits.hostSlots() == 0 && limits.queued() == 0
            && limits.capture().used() == 0, 5_000)
        .compose(v -> Fetchers.get(vertx, url));
  }
}
