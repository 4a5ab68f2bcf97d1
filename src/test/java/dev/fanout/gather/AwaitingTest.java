package dev.fanout.gather;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.FetchResult;
import dev.fanout.bus.FetchSpec;
import dev.fanout.gather.Awaiting.Pending;
import dev.fanout.testing.Fetchers;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The reply timeout of fetches handed to this process's fetchers: one periodic check, not a timer each. */
@ExtendWith(VertxExtension.class)
class AwaitingTest {
  private static final FetchSpec.Options OPTIONS = Fetchers.defaults(new JsonObject());

  @Test
  void an_overdue_fetch_is_answered_once_as_no_reply_and_an_answered_one_is_not(Vertx vertx, VertxTestContext ctx) {
    List<Long> answered = new ArrayList<>();
    List<FetchResult> results = new ArrayList<>();
    Awaiting[] awaiting = new Awaiting[1];
    vertx.runOnContext(v -> {
      awaiting[0] = new Awaiting(vertx, 1, 4, (p, result) -> {
        ctx.verify(() -> assertThat(awaiting[0].answer(p)).isTrue());
        answered.add(p.index);
        results.add((FetchResult) result);
        ctx.verify(() -> {
          assertThat(answered).containsExactly(1L);
          FetchResult r = results.get(0);
          assertThat(r.url()).isEqualTo("http://slow.example/");
          assertThat(r.errorKind().wire()).isEqualTo("overloaded");
          assertThat(r.error().message()).startsWith("no reply from the fetchers: timed out after 1 ms");
          assertThat(awaiting[0].answer(p)).as("a late reply is ignored").isFalse();
        });
        ctx.completeNow();
      });
      Pending fast = new Pending(FetchSpec.of("http://fast.example/", OPTIONS), 0);
      Pending slow = new Pending(FetchSpec.of("http://slow.example/", OPTIONS), 1);
      awaiting[0].watch(fast);
      awaiting[0].watch(slow);
      ctx.verify(() -> assertThat(awaiting[0].answer(fast)).isTrue()); // its reply came: never answered again
    });
  }
}
