package dev.fanout.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.BusFailure;
import dev.fanout.testing.Conditions;
import dev.fanout.testing.Service;
import dev.fanout.testing.TargetServer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link FetchClient} against the real service and a real target on loopback. */
@ExtendWith(VertxExtension.class)
class FetchClientTest {

  private static Future<TargetServer> serviceAndTarget(Vertx vertx) {
    return Service.start(vertx, new JsonObject()).compose(port -> TargetServer.start(vertx));
  }

  private static JsonArray urls(TargetServer t, int n, String path) {
    JsonArray a = new JsonArray();
    for (int i = 0; i < n; i++) {
      a.add(t.url(path + (path.contains("?") ? "&" : "?") + "i=" + i));
    }
    return a;
  }

  @Test
  void fetch_and_gather_answer_typed_results(Vertx vertx, VertxTestContext ctx) {
    FetchClient client = Fanout.fetchClient(vertx);
    serviceAndTarget(vertx).compose(t -> client.fetch(new JsonObject().put("url", t.url("/ok?size=5"))
            .put("capture", "text"))
        .compose(one -> client.gather(new JsonObject().put("urls", urls(t, 3, "/ok")).put("concurrency", 2))
            .map(all -> List.of(one, all))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          FetchResult one = (FetchResult) r.get(0);
          assertThat(one.ok()).isTrue();
          assertThat(one.status()).isEqualTo(200);
          assertThat(one.body()).isEqualTo("xxxxx");
          GatherResult all = (GatherResult) r.get(1);
          assertThat(all.results()).hasSize(3).allMatch(FetchResult::ok);
          assertThat(all.results().get(2).url()).endsWith("i=2");
          assertThat(all.stats().getInteger("ok")).isEqualTo(3);
          ctx.completeNow();
        })));
  }

  @Test
  void bad_input_fails_with_the_400_naming_the_field(Vertx vertx, VertxTestContext ctx) {
    FetchClient client = Fanout.fetchClient(vertx);
    serviceAndTarget(vertx)
        .compose(t -> client.fetch(new JsonObject().put("url", t.url("/ok")).put("retries", -1)).transform(a ->
            client.gather(new JsonObject().put("urls", new JsonArray().add(7))).transform(b ->
                Future.succeededFuture(List.of(a.cause(), b.cause())))))
        .onComplete(ctx.succeeding(causes -> ctx.verify(() -> {
          assertThat(causes.get(0)).isInstanceOf(ReplyException.class).hasMessageStartingWith("retries: ");
          assertThat(((ReplyException) causes.get(0)).failureCode()).isEqualTo(400);
          assertThat(causes.get(1)).isInstanceOf(ReplyException.class).hasMessageStartingWith("urls[0]: ");
          assertThat(((ReplyException) causes.get(1)).failureCode()).isEqualTo(400);
          ctx.completeNow();
        })));
  }

  @Test
  void send_timeouts_follow_the_deadline_asked(Vertx vertx) {
    BusFetchClient client = new BusFetchClient(vertx); // no service here: the bundled defaults
    long dflt = 120_000 + BusFetchClient.MARGIN_MS;
    assertThat(client.fetchTimeoutMs(new JsonObject().put("url", "http://127.0.0.1/"))).isEqualTo(dflt);
    assertThat(client.fetchTimeoutMs(new JsonObject().put("url", "http://127.0.0.1/").put("deadlineMs", 600_000)))
        .isEqualTo(600_000 + BusFetchClient.MARGIN_MS);
    assertThat(client.fetchTimeoutMs(new JsonObject().put("retries", "x"))).isEqualTo(dflt);
    JsonArray ten = new JsonArray();
    for (int i = 0; i < 10; i++) {
      ten.add("http://127.0.0.1/" + i);
    }
    // 10 fetches 4 at a time: 3 rounds of the longest deadline
    assertThat(client.gatherTimeoutMs(new JsonObject().put("urls", ten).put("concurrency", 4)
        .put("deadlineMs", 300_000))).isEqualTo(3 * (300_000 + BusFetchClient.MARGIN_MS) + BusFetchClient.MARGIN_MS);
    assertThat(client.gatherTimeoutMs(new JsonObject().put("urls", 3))).isEqualTo(dflt);
  }

  @Test
  void stream_delivers_every_result_with_its_index_then_ends(Vertx vertx, VertxTestContext ctx) {
    List<Integer> seen = new ArrayList<>();
    serviceAndTarget(vertx).compose(t -> {
      Promise<Void> ended = Promise.promise();
      JsonArray urls = urls(t, 20, "/ok").add(t.url("/status?code=404"));
      Fanout.fetchClient(vertx).stream(new JsonObject().put("urls", urls).put("concurrency", 4))
          .handler(r -> seen.add(r.index()))
          .exceptionHandler(ended::tryFail)
          .endHandler(ended::tryComplete);
      return ended.future();
    }).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertThat(seen).hasSize(21).doesNotHaveDuplicates().allMatch(i -> i >= 0 && i < 21);
      ctx.completeNow();
    })));
  }

  @Test
  void a_paused_stream_starts_no_new_fetch(Vertx vertx, VertxTestContext ctx) {
    int n = 12;
    int window = 3;
    List<Integer> seen = new ArrayList<>();
    serviceAndTarget(vertx).compose(t -> {
      Promise<Void> ended = Promise.promise();
      FetchStream s = Fanout.fetchClient(vertx).stream(new JsonObject().put("urls", urls(t, n, "/ok"))
          .put("concurrency", window));
      s.pause();
      s.handler(r -> {
        // what was sent is what was delivered plus, at most, one window in flight or buffered
        if (t.requests() > seen.size() + window) {
          ended.tryFail(new AssertionError(t.requests() + " requests with " + seen.size() + " delivered"));
        }
        seen.add(r.index());
        // nothing is asked for now: once the target has answered all it was sent (a stream that
        // started fetches while paused would be sending more), ask for one more
        Conditions.until(vertx, () -> t.inFlight() == 0, 10_000).onComplete(ar -> s.fetch(1));
      }).endHandler(ended::tryComplete).exceptionHandler(ended::tryFail);
      s.fetch(1);
      return ended.future().map(v -> t.requests());
    }).onComplete(ctx.succeeding(requests -> ctx.verify(() -> {
      assertThat(seen).hasSize(n).doesNotHaveDuplicates();
      assertThat(requests).isEqualTo(n);
      ctx.completeNow();
    })));
  }

  @Test
  void stream_reports_bad_input_to_its_exception_handler(Vertx vertx, VertxTestContext ctx) {
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> {
      FetchStream s = Fanout.fetchClient(vertx).stream(new JsonObject().put("urls", new JsonArray()))
          .handler(r -> ctx.failNow("no result expected"))
          .endHandler(end -> ctx.failNow("no end expected"));
      // set after the stream has started and found the input bad: the failure waits for it
      context.runOnContext(later -> s.exceptionHandler(e -> ctx.verify(() -> {
        assertThat(e).isInstanceOf(BusFailure.class);
        assertThat(((BusFailure) e).failureCode()).isEqualTo(400);
        assertThat(((BusFailure) e).field()).isEqualTo("urls");
        ctx.completeNow();
      })));
    });
  }

  @Test
  void cancel_ends_the_stream_and_its_fetches(Vertx vertx, VertxTestContext ctx) {
    serviceAndTarget(vertx).compose(t -> {
      Promise<Void> ended = Promise.promise();
      FetchStream s = Fanout.fetchClient(vertx).stream(new JsonObject().put("urls", urls(t, 6, "/hang"))
          .put("concurrency", 2));
      s.handler(r -> ended.tryFail(new AssertionError("no result expected: " + r))).endHandler(ended::tryComplete);
      return Conditions.until(vertx, () -> t.inFlight() == 2, 10_000)
          .compose(v -> {
            s.cancel();
            return ended.future();
          })
          .compose(v -> Conditions.until(vertx, () -> t.inFlight() == 0, 10_000))
          .map(v -> t.requests());
    }).onComplete(ctx.succeeding(requests -> ctx.verify(() -> {
      assertThat(requests).isEqualTo(2);
      ctx.completeNow();
    })));
  }

  @Test
  void fail_fast_stream_cancels_the_rest_and_still_gives_every_index(Vertx vertx, VertxTestContext ctx) {
    List<FetchResult> seen = new ArrayList<>();
    serviceAndTarget(vertx).compose(t -> {
      Promise<Void> ended = Promise.promise();
      JsonArray urls = new JsonArray().add(t.url("/status?code=500")).addAll(urls(t, 5, "/hang"));
      Fanout.fetchClient(vertx).stream(new JsonObject().put("urls", urls).put("concurrency", 2)
              .put("mode", "fail-fast").put("retries", 0))
          .handler(seen::add).endHandler(ended::tryComplete).exceptionHandler(ended::tryFail);
      return ended.future();
    }).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertThat(seen).hasSize(6);
      assertThat(seen.get(0).index()).isZero();
      assertThat(seen.get(0).status()).isEqualTo(500);
      assertThat(seen.subList(1, 6)).allMatch(r -> "cancelled".equals(r.errorKind()));
      ctx.completeNow();
    })));
  }
}
