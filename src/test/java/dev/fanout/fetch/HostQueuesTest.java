package dev.fanout.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.FetchSpec;
import dev.fanout.testing.Fetchers;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A fetcher's host queues: the per-host cap, spacing, and hosts forgotten only when that loses nothing. */
@ExtendWith(VertxExtension.class)
class HostQueuesTest {
  private static final FetchSpec.Options OPTIONS = Fetchers.defaults(new JsonObject());
  private final List<String> started = new ArrayList<>();
  private final List<String> waited = new ArrayList<>();
  private final GlobalLimits limits = new GlobalLimits(1000, 1000, 1024);

  private static FetchTask task(String url) {
    return new FetchTask(FetchSpec.of(url, OPTIONS), System.nanoTime());
  }

  private Runnable afterStart = () -> { };

  private HostQueues queues(Vertx vertx, Context context, int perHost, double rate) {
    return new HostQueues(vertx, context, limits, perHost, rate, t -> {
      started.add(t.url);
      afterStart.run();
    }, t -> waited.add(t.url));
  }

  /** Queues a task as the fetcher does: counted in the global queue first. */
  private FetchTask add(HostQueues q, String url) {
    FetchTask t = task(url);
    assertThat(limits.tryQueue()).isTrue();
    q.add(t);
    return t;
  }

  @Test
  void a_host_runs_at_most_its_cap_and_the_next_starts_when_one_ends(Vertx vertx, VertxTestContext ctx) {
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> ctx.verify(() -> {
      HostQueues q = queues(vertx, context, 2, 0);
      FetchTask a = add(q, "http://a.example/1");
      add(q, "http://a.example/2");
      FetchTask third = add(q, "http://a.example/3");
      add(q, "http://b.example/1");
      assertThat(started).containsExactly("http://a.example/1", "http://a.example/2", "http://b.example/1");
      assertThat(waited).isEqualTo(started);
      assertThat(third.phase).isEqualTo(FetchTask.Phase.QUEUED);
      assertThat(a.phase).isEqualTo(FetchTask.Phase.PERMIT);
      assertThat(limits.queued()).isEqualTo(1);
      assertThat(limits.hostSlots()).isEqualTo(3);
      q.release(a.host);
      assertThat(started).endsWith("http://a.example/3");
      assertThat(limits.queued()).isZero();
      assertThat(limits.hostSlots()).isEqualTo(3);
      ctx.completeNow();
    }));
  }

  @Test
  void a_busy_host_is_never_forgotten_so_its_cap_holds(Vertx vertx, VertxTestContext ctx) {
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> ctx.verify(() -> {
      HostQueues q = queues(vertx, context, 1, 0);
      FetchTask a = add(q, "http://a.example/1");
      add(q, "http://a.example/2");
      q.sweep();
      add(q, "http://a.example/3");
      assertThat(started).containsExactly("http://a.example/1");
      q.release(a.host); // /2 starts; the host still has a fetch in flight
      add(q, "http://a.example/4");
      assertThat(started).containsExactly("http://a.example/1", "http://a.example/2");
      ctx.completeNow();
    }));
  }

  @Test
  void an_idle_host_starts_afresh(Vertx vertx, VertxTestContext ctx) {
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> ctx.verify(() -> {
      HostQueues q = queues(vertx, context, 1, 0);
      FetchTask a = add(q, "http://a.example/1");
      q.release(a.host);
      assertThat(limits.hostSlots()).isZero();
      q.sweep();
      add(q, "http://a.example/2");
      assertThat(started).containsExactly("http://a.example/1", "http://a.example/2");
      ctx.completeNow();
    }));
  }

  @Test
  void fetches_that_ended_while_queued_are_skipped(Vertx vertx, VertxTestContext ctx) {
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> ctx.verify(() -> {
      HostQueues q = queues(vertx, context, 1, 0);
      FetchTask a = add(q, "http://a.example/1");
      FetchTask gone = add(q, "http://a.example/2");
      add(q, "http://a.example/3");
      gone.phase = FetchTask.Phase.DONE;
      q.release(a.host);
      assertThat(started).containsExactly("http://a.example/1", "http://a.example/3");
      ctx.completeNow();
    }));
  }

  @Test
  void a_rate_limited_host_starts_the_next_fetch_later_not_at_once(Vertx vertx, VertxTestContext ctx) {
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> ctx.verify(() -> {
      HostQueues q = queues(vertx, context, 10, 20);
      add(q, "http://a.example/1");
      add(q, "http://a.example/2");
      add(q, "http://a.example/3");
      add(q, "http://b.example/1");
      assertThat(started).containsExactly("http://a.example/1", "http://b.example/1");
      q.sweep(); // spacing still pending: the host is remembered
      afterStart = () -> {
        if (started.size() == 4) {
          ctx.verify(() -> assertThat(started).containsExactly("http://a.example/1", "http://b.example/1",
              "http://a.example/2", "http://a.example/3"));
          ctx.completeNow();
        }
      };
    }));
  }

  @Test
  void a_pause_holds_the_host_until_it_ends(Vertx vertx, VertxTestContext ctx) {
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> ctx.verify(() -> {
      HostQueues q = queues(vertx, context, 10, 0);
      FetchTask a = add(q, "http://a.example/1");
      a.host.pauseUntil(System.nanoTime() + 30_000_000);
      q.release(a.host);
      add(q, "http://a.example/2");
      assertThat(started).containsExactly("http://a.example/1");
      afterStart = () -> {
        if (started.size() == 2) {
          ctx.completeNow();
        }
      };
    }));
  }
}
