package dev.fanout.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The process-wide limits: the queue bound, and permits handed to waiters oldest first. */
@ExtendWith(VertxExtension.class)
class GlobalLimitsTest {

  @Test
  void the_queue_takes_its_bound_and_no_more() {
    GlobalLimits limits = new GlobalLimits(1, 2, 1024);
    assertThat(limits.tryQueue()).isTrue();
    assertThat(limits.tryQueue()).isTrue();
    assertThat(limits.tryQueue()).isFalse();
    assertThat(limits.queued()).isEqualTo(2);
    limits.dequeued();
    assertThat(limits.queued()).isEqualTo(1);
    assertThat(limits.tryQueue()).isTrue();
    assertThat(limits.tryQueue()).isFalse();
  }

  @Test
  void a_retry_or_redirect_of_an_accepted_fetch_is_queued_past_the_bound() {
    GlobalLimits limits = new GlobalLimits(1, 1, 1024);
    assertThat(limits.tryQueue()).isTrue();
    limits.requeue();
    assertThat(limits.queued()).isEqualTo(2);
    assertThat(limits.tryQueue()).isFalse();
    assertThat(limits.queued()).isEqualTo(2);
  }

  @Test
  void host_slots_are_summed_and_the_capture_budget_has_its_size() {
    GlobalLimits limits = new GlobalLimits(1, 1, 4096);
    limits.hostSlotTaken();
    limits.hostSlotTaken();
    limits.hostSlotReleased();
    assertThat(limits.hostSlots()).isEqualTo(1);
    assertThat(limits.capture().capacity()).isEqualTo(4096);
  }

  @Test
  void permits_are_granted_at_once_up_to_the_cap_then_to_waiters_oldest_first(Vertx vertx, VertxTestContext ctx) {
    GlobalLimits limits = new GlobalLimits(2, 10, 1024);
    Context context = vertx.getOrCreateContext();
    List<String> granted = new CopyOnWriteArrayList<>();
    limits.acquire(context, () -> granted.add("a"));
    limits.acquire(context, () -> granted.add("b"));
    limits.acquire(context, () -> granted.add("c"));
    limits.acquire(context, () -> granted.add("d"));
    assertThat(granted).containsExactly("a", "b");
    assertThat(limits.inFlight()).isEqualTo(2);
    limits.release();
    // the grant was put on the context before this check, which therefore runs after it
    context.runOnContext(v -> ctx.verify(() -> {
      assertThat(granted).containsExactly("a", "b", "c");
      assertThat(limits.inFlight()).isEqualTo(2);
      limits.release();
      limits.release();
      context.runOnContext(w -> ctx.verify(() -> {
        assertThat(granted).containsExactly("a", "b", "c", "d");
        assertThat(limits.inFlight()).isEqualTo(1);
        limits.release();
        assertThat(limits.inFlight()).isZero();
        limits.acquire(context, () -> granted.add("e"));
        assertThat(granted).endsWith("e");
        ctx.completeNow();
      }));
    }));
  }
}
