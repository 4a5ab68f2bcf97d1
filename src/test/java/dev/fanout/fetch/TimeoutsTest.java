package dev.fanout.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The tick-driven attempt limits. */
@ExtendWith(VertxExtension.class)
class TimeoutsTest {

  @Test
  void an_expiring_action_may_schedule_limits_of_new_durations(Vertx vertx, VertxTestContext ctx) {
    // An expiring limit releases its host slot, which starts the next fetch, which schedules its
    // own limit: that must not disturb the tick that is running the first one.
    List<Throwable> unhandled = new ArrayList<>();
    vertx.exceptionHandler(unhandled::add);
    List<Long> fired = new ArrayList<>();
    vertx.runOnContext(v -> {
      Timeouts timeouts = new Timeouts(vertx);
      for (long ms = 100; ms < 110; ms++) {
        long first = ms;
        timeouts.schedule(first, () -> {
          fired.add(first);
          for (long next = 200 + first * 10; next < 210 + first * 10; next++) {
            long second = next;
            timeouts.schedule(second, () -> {
              fired.add(second);
              if (fired.size() == 110) {
                ctx.verify(() -> assertThat(unhandled).isEmpty());
                ctx.completeNow();
              }
            });
          }
        });
      }
      vertx.setTimer(5_000, id -> ctx.verify(() -> {
        assertThat(unhandled).isEmpty();
        assertThat(fired).hasSize(110);
      }));
    });
  }
}
