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

  @Test
  void limits_fire_in_due_order_and_a_cancelled_one_never_fires(Vertx vertx, VertxTestContext ctx) {
    List<String> fired = new ArrayList<>();
    vertx.runOnContext(v -> {
      Timeouts timeouts = new Timeouts(vertx);
      timeouts.schedule(150, () -> fired.add("150"));
      Timeouts.Entry cancelled = timeouts.schedule(100, () -> fired.add("cancelled"));
      timeouts.schedule(100, () -> fired.add("100"));
      timeouts.schedule(120, () -> {
        throw new IllegalStateException("an action that throws strands nothing");
      });
      timeouts.schedule(120, () -> fired.add("120"));
      timeouts.schedule(300, () -> ctx.verify(() -> {
        assertThat(fired).containsExactly("100", "120", "150");
        ctx.completeNow();
      }));
      cancelled.cancel();
    });
  }

  @Test
  void short_limits_get_an_exact_timer_which_a_cancel_stops(Vertx vertx, VertxTestContext ctx) {
    List<String> fired = new ArrayList<>();
    vertx.runOnContext(v -> {
      Timeouts timeouts = new Timeouts(vertx);
      Timeouts.Entry cancelled = timeouts.schedule(5, () -> fired.add("cancelled"));
      timeouts.schedule(0, () -> fired.add("0"));
      timeouts.scheduleExact(20, () -> fired.add("20"));
      timeouts.schedule(99, () -> ctx.verify(() -> {
        assertThat(fired).containsExactly("0", "20");
        ctx.completeNow();
      }));
      cancelled.cancel();
      cancelled.cancel();
    });
  }

  @Test
  void closed_timeouts_fire_nothing_more(Vertx vertx, VertxTestContext ctx) {
    List<String> fired = new ArrayList<>();
    vertx.runOnContext(v -> {
      Timeouts timeouts = new Timeouts(vertx);
      timeouts.schedule(100, () -> fired.add("100"));
      timeouts.close();
      timeouts.close();
      vertx.setTimer(300, id -> ctx.verify(() -> {
        assertThat(fired).isEmpty();
        ctx.completeNow();
      }));
    });
  }
}
