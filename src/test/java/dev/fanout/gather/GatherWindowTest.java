package dev.fanout.gather;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.Addresses;
import dev.fanout.bus.FetchSpec;
import dev.fanout.bus.GatherRequest.Mode;
import dev.fanout.testing.Fetchers;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The gather's window with no fetcher on the bus: every fetch it sends comes back at once as
 * {@code overloaded}, so what it sends, emits and cancels shows without any timing.
 */
@ExtendWith(VertxExtension.class)
class GatherWindowTest {
  private static final FetchSpec.Options OPTIONS = Fetchers.defaults(new JsonObject());
  private final Map<Long, JsonObject> results = new TreeMap<>();
  private final List<Long> order = new ArrayList<>();

  private Gather.Sink sink() {
    return (index, result) -> {
      assertThat(results.put(index, result)).as("index %d emitted twice", index).isNull();
      order.add(index);
    };
  }

  private static List<FetchSpec> specs(int n) {
    List<FetchSpec> specs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      specs.add(FetchSpec.of(i % 7 == 3 ? "not a url " + i : "http://h" + (i % 5) + ".example/" + i, OPTIONS));
    }
    return specs;
  }

  private Gather gather(Vertx vertx, Gather.Source source, int concurrency, boolean ordered, Mode mode) {
    return new Gather(vertx, source, sink(), new Gather.Options(concurrency, ordered, 4, 5_000, mode));
  }

  private static Future<GatherStats> run(Context context, Gather g) {
    return Future.<Future<GatherStats>>future(p -> context.runOnContext(v -> p.complete(g.run()))).compose(f -> f);
  }

  @Test
  void settle_emits_one_result_per_input_in_order(Vertx vertx, VertxTestContext ctx) {
    Gather g = gather(vertx, new ListSource(specs(150)), 3, true, Mode.SETTLE);
    run(vertx.getOrCreateContext(), g)
        .onComplete(ctx.succeeding(stats -> ctx.verify(() -> {
          assertThat(g.cancelled()).isFalse();
          assertThat(stats.elapsedMs()).isNotNegative().isLessThan(60_000); // from its start, not from boot
          assertThat(stats.count()).isEqualTo(150);
          assertThat(stats.failed()).isEqualTo(150);
          assertThat(stats.failedByKind()).isEqualTo(Map.of("overloaded", 150L));
          assertThat(order).hasSize(150).isSorted();
          assertThat(results.get(3L).getString("url")).isEqualTo("not a url 3");
          assertThat(results.get(149L).getString("url")).isEqualTo("http://h4.example/149");
          assertThat(results.get(0L).getJsonObject("error").getString("message"))
              .startsWith("no reply from the fetchers");
          ctx.completeNow();
        })));
  }

  @Test
  void fail_fast_answers_the_inputs_not_started_as_cancelled(Vertx vertx, VertxTestContext ctx) {
    List<JsonObject> cancels = new ArrayList<>();
    vertx.eventBus().<JsonObject>consumer(Addresses.FETCH_CANCEL, m -> cancels.add(m.body()));
    Gather g = gather(vertx, new ListSource(specs(100)), 2, false, Mode.FAIL_FAST);
    run(vertx.getOrCreateContext(), g).onComplete(ctx.succeeding(stats -> ctx.verify(() -> {
      assertThat(g.cancelled()).isTrue();
      assertThat(results.keySet()).hasSize(100);
      assertThat(stats.count()).isEqualTo(100);
      assertThat(stats.failedByKind().get("cancelled")).isGreaterThanOrEqualTo(98);
      assertThat(results.get(99L).getJsonObject("error").getString("kind")).isEqualTo("cancelled");
      assertThat(results.get(99L).getString("url")).isEqualTo("http://h4.example/99");
      vertx.setTimer(50, t -> ctx.verify(() -> {
        assertThat(cancels).hasSize(1); // published once: cancelling again does nothing
        ctx.completeNow();
      }));
      g.cancel(true);
    })));
  }

  @Test
  void a_gather_whose_consumer_went_away_abandons_its_input(Vertx vertx, VertxTestContext ctx) {
    Gather[] g = new Gather[1];
    Gather.Sink sink = (index, result) -> {
      order.add(index);
      if (index == 9) {
        g[0].cancel(false); // the consumer went away after ten results
      }
    };
    g[0] = new Gather(vertx, new ListSource(specs(500)), sink, new Gather.Options(4, true, 4, 5_000, Mode.SETTLE));
    run(vertx.getOrCreateContext(), g[0]).onComplete(ctx.succeeding(stats -> ctx.verify(() -> {
      assertThat(g[0].cancelled()).isTrue();
      assertThat(stats.count()).isBetween(10L, 13L); // those in flight end; nothing new starts
      assertThat(order).hasSize((int) stats.count()).isSorted();
      ctx.completeNow();
    })));
  }

  @Test
  void a_source_that_fails_fails_the_gather(Vertx vertx, VertxTestContext ctx) {
    Gather.Source broken = max -> Future.failedFuture(new IllegalStateException("input broke"));
    run(vertx.getOrCreateContext(), gather(vertx, broken, 2, false, Mode.SETTLE))
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertThat(e).hasMessage("input broke");
          ctx.completeNow();
        })));
  }

  @Test
  void the_source_is_asked_for_a_batch_at_a_time_and_never_while_a_read_runs(Vertx vertx, VertxTestContext ctx) {
    List<Integer> asked = new ArrayList<>();
    ListSource list = new ListSource(specs(300));
    Gather.Source source = max -> {
      asked.add(max);
      return list.next(max);
    };
    run(vertx.getOrCreateContext(), gather(vertx, source, 100, false, Mode.SETTLE))
        .onComplete(ctx.succeeding(stats -> ctx.verify(() -> {
          assertThat(stats.count()).isEqualTo(300);
          assertThat(asked).containsOnly(100).hasSizeBetween(4, 300);
          ctx.completeNow();
        })));
  }
}
