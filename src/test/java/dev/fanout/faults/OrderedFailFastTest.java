package dev.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.FetchSpec;
import dev.fanout.bus.GatherRequest.Mode;
import dev.fanout.gather.Gather;
import dev.fanout.testing.Fetchers;
import dev.fanout.testing.TargetServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fail-fast with ordered output: once the first failure cancels the gather, the inputs not yet
 * sent come back as {@code cancelled} results, but while an earlier fetch is still being
 * cancelled they must wait inside the reorder window like any other result, not pile up behind it.
 */
@ExtendWith(VertxExtension.class)
class OrderedFailFastTest {
  private static final int INPUTS = 5_000;
  private static final int WINDOW = 16;
  private static final int CONCURRENCY = 4;

  /** A source over specs that counts how many the gather has pulled. */
  private static final class CountingSource implements Gather.Source {
    private final List<FetchSpec> specs;
    int pulled;

    CountingSource(List<FetchSpec> specs) {
      this.specs = specs;
    }

    @Override
    public Future<List<FetchSpec>> next(int max) {
      int from = pulled;
      pulled = Math.min(specs.size(), pulled + max);
      return Future.succeededFuture(specs.subList(from, pulled));
    }
  }

  @Test
  void cancelled_results_wait_inside_the_reorder_window(Vertx vertx, VertxTestContext ctx) {
    List<JsonObject> out = new ArrayList<>();
    int[] pulledAtFirstResult = {-1};
    JsonObject cfg = Fetchers.fetch("retries", 0, "perHost", 50);
    FetchSpec.Options defaults = Fetchers.defaults(cfg);
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, cfg).compose(id -> {
      List<FetchSpec> specs = new ArrayList<>();
      specs.add(FetchSpec.of(t.url("/hang"), defaults)); // index 0 stays in flight until the cancel reaches it
      for (int i = 1; i < INPUTS; i++) {
        specs.add(FetchSpec.of(t.url("/status?code=500&i=" + i), defaults));
      }
      CountingSource source = new CountingSource(specs);
      Gather.Sink sink = (index, result) -> {
        if (out.isEmpty()) {
          pulledAtFirstResult[0] = source.pulled;
        }
        out.add(result.put("index", index));
      };
      return new Gather(vertx, source, sink,
          new Gather.Options(CONCURRENCY, true, WINDOW, 30_000, Mode.FAIL_FAST)).run();
    })).onComplete(ctx.succeeding(stats -> ctx.verify(() -> {
      assertThat(out).hasSize(INPUTS);
      for (int i = 0; i < INPUTS; i++) {
        assertThat(out.get(i).getLong("index")).isEqualTo(i);
      }
      assertThat(out.get(0).getJsonObject("error").getString("kind")).isEqualTo("cancelled");
      assertThat(out.get(INPUTS - 1).getJsonObject("error").getString("kind")).isEqualTo("cancelled");
      // held results stay within the window: the gather read at most one batch past it
      assertThat(pulledAtFirstResult[0]).isLessThanOrEqualTo(WINDOW + Math.max(64, CONCURRENCY) + CONCURRENCY);
      ctx.completeNow();
    })));
  }
}
