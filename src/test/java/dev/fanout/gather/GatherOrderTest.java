package dev.fanout.gather;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.FetchSpec;
import dev.fanout.bus.GatherRequest.Mode;
import dev.fanout.testing.Conditions;
import dev.fanout.testing.Fetchers;
import dev.fanout.testing.TargetServer;
import io.vertx.core.Future;
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

/**
 * {@link Gather}'s ordered output (a bounded reorder window) and its back-pressure (a full sink
 * pauses the window), against real fetchers and a real target.
 */
@ExtendWith(VertxExtension.class)
class GatherOrderTest {

  /** A sink that records indices and URLs; full while {@link #holding} is set and it holds {@code room} results. */
  private static final class RecordingSink implements Gather.Sink {
    final List<Long> indices = new CopyOnWriteArrayList<>();
    final List<String> urls = new CopyOnWriteArrayList<>();
    final AtomicInteger drainsAsked = new AtomicInteger();
    final TargetServer target;
    final int room;
    volatile boolean holding;
    volatile Runnable resume;
    volatile int requestsAtFirstResult = -1;

    RecordingSink(TargetServer target, int room, boolean holding) {
      this.target = target;
      this.room = room;
      this.holding = holding;
    }

    @Override
    public void accept(long index, JsonObject result) {
      if (indices.isEmpty()) {
        requestsAtFirstResult = target.requests();
      }
      indices.add(index);
      urls.add(result.getString("url"));
    }

    @Override
    public boolean full() {
      return holding && indices.size() >= room;
    }

    @Override
    public void onDrain(Runnable resume) {
      drainsAsked.incrementAndGet();
      this.resume = resume;
    }
  }

  /** The fetchers' settings here: no retries, and room for every fetch to one host. */
  private static JsonObject noRetries() {
    return Fetchers.fetch("retries", 0, "perHost", 50);
  }

  private static Gather gather(Vertx vertx, List<String> urls, Gather.Sink sink, int concurrency, boolean ordered,
      int window) {
    List<FetchSpec> specs = new ArrayList<>();
    urls.forEach(u -> specs.add(FetchSpec.of(u, Fetchers.defaults(noRetries()))));
    return new Gather(vertx, new ListSource(specs), sink,
        new Gather.Options(concurrency, ordered, window, 30_000, Mode.SETTLE));
  }

  @Test
  void ordered_output_is_in_input_order_and_starts_at_most_the_window_ahead(Vertx vertx, VertxTestContext ctx) {
    List<String> urls = new ArrayList<>();
    RecordingSink[] sink = new RecordingSink[1];
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, noRetries()).compose(id -> {
      urls.add(t.url("/delay?ms=300&i=0")); // the first finishes last: everything after it waits in the window
      for (int i = 1; i <= 30; i++) {
        urls.add(t.url("/ok?i=" + i));
      }
      sink[0] = new RecordingSink(t, Integer.MAX_VALUE, false);
      return gather(vertx, urls, sink[0], 8, true, 4).run();
    })).onComplete(ctx.succeeding(stats -> ctx.verify(() -> {
      assertThat(sink[0].urls).containsExactlyElementsOf(urls);
      for (int i = 0; i < urls.size(); i++) {
        assertThat(sink[0].indices.get(i)).isEqualTo(i);
      }
      // while the first was in flight, only the reorder window (4) had started, not the concurrency (8)
      assertThat(sink[0].requestsAtFirstResult).isBetween(1, 4);
      assertThat(stats.count()).isEqualTo(31);
      ctx.completeNow();
    })));
  }

  @Test
  void unordered_output_is_as_completed(Vertx vertx, VertxTestContext ctx) {
    RecordingSink[] sink = new RecordingSink[1];
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, noRetries()).compose(id -> {
      sink[0] = new RecordingSink(t, Integer.MAX_VALUE, false);
      return gather(vertx, List.of(t.url("/delay?ms=300"), t.url("/ok")), sink[0], 2, false, 1).run();
    })).onComplete(ctx.succeeding(stats -> ctx.verify(() -> {
      assertThat(sink[0].indices).containsExactly(1L, 0L);
      ctx.completeNow();
    })));
  }

  @Test
  void fetches_go_to_this_process_s_fetchers_without_a_bus_message(Vertx vertx, VertxTestContext ctx) {
    AtomicInteger fetchMessages = new AtomicInteger();
    vertx.eventBus().addOutboundInterceptor(dc -> {
      if (dc.message().body() instanceof FetchSpec) {
        fetchMessages.incrementAndGet();
      }
      dc.next();
    });
    RecordingSink[] sink = new RecordingSink[1];
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, noRetries()).compose(id -> {
      List<String> urls = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        urls.add(t.url("/ok?i=" + i));
      }
      sink[0] = new RecordingSink(t, Integer.MAX_VALUE, false);
      return gather(vertx, urls, sink[0], 8, true, 16).run();
    })).onComplete(ctx.succeeding(stats -> ctx.verify(() -> {
      assertThat(stats.ok()).isEqualTo(40);
      assertThat(sink[0].indices).hasSize(40).isSorted();
      assertThat(fetchMessages.get()).isZero();
      ctx.completeNow();
    })));
  }

  @Test
  void a_full_sink_pauses_the_window_until_it_drains(Vertx vertx, VertxTestContext ctx) {
    pausesUntilDrained(vertx, ctx, false);
  }

  @Test
  void a_full_sink_pauses_an_ordered_window_until_it_drains(Vertx vertx, VertxTestContext ctx) {
    pausesUntilDrained(vertx, ctx, true);
  }

  private void pausesUntilDrained(Vertx vertx, VertxTestContext ctx, boolean ordered) {
    int total = 200;
    int concurrency = 4;
    RecordingSink[] sink = new RecordingSink[1];
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, noRetries()).compose(id -> {
      List<String> urls = new ArrayList<>();
      for (int i = 0; i < total; i++) {
        urls.add(t.url("/ok?i=" + i));
      }
      sink[0] = new RecordingSink(t, 1, true);
      // fetches sent, counted as they reach the target (the gather hands them to the fetchers of
      // this process directly, with no bus message to count)
      // a reorder window of the concurrency: with a wider one, ordered output keeps sending while
      // later fetches finish before the first, and more than the concurrency may be out when the
      // first result is delivered and fills the sink
      Future<GatherStats> run = gather(vertx, urls, sink[0], concurrency, ordered, concurrency).run();
      // full after its first result: what was in flight then still arrives, and nothing more is sent
      return Conditions.until(vertx, () -> sink[0].resume != null && sink[0].indices.size() == t.requests(), 10_000)
          .compose(v -> {
            ctx.verify(() -> {
              assertThat(t.requests()).isBetween(1, concurrency);
              assertThat(run.isComplete()).isFalse();
              assertThat(sink[0].drainsAsked.get()).isEqualTo(1);
            });
            sink[0].holding = false;
            sink[0].resume.run();
            return run;
          })
          .map(stats -> t.requests());
    })).onComplete(ctx.succeeding(requests -> ctx.verify(() -> {
      assertThat(requests).isEqualTo(total);
      assertThat(sink[0].indices).hasSize(total).doesNotHaveDuplicates();
      if (ordered) {
        assertThat(sink[0].indices).isSorted();
      }
      ctx.completeNow();
    })));
  }
}
