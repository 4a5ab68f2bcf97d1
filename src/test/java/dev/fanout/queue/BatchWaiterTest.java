package dev.fanout.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The bookkeeping of a batch wait between its counts (BatchWaits.Waiter). */
class BatchWaiterTest {

  private static BatchWaits.Waiter waiter() {
    return new BatchWaits.Waiter(UUID.randomUUID(), Long.MAX_VALUE, Promise.promise());
  }

  @Test
  void an_outcome_reported_while_a_count_runs_is_not_lost() {
    // the count's snapshot may predate the last job's completion, whose event then arrives
    // before the count answers: the waiter must count again at once, not wait for its poll
    BatchWaits.Waiter w = waiter();
    w.countStarts();
    assertThat(w.outcomes(1)).isFalse();
    assertThat(w.countFound(1)).isTrue();
  }

  @Test
  void outcomes_after_a_count_count_it_down_to_the_next_count() {
    BatchWaits.Waiter w = waiter();
    w.countStarts();
    assertThat(w.countFound(3)).isFalse();
    assertThat(w.outcomes(2)).isFalse();
    assertThat(w.outcomes(1)).isTrue();
    // the next count starts afresh: what was reported before it does not count against it
    w.countStarts();
    assertThat(w.countFound(2)).isFalse();
    assertThat(w.outcomes(1)).isFalse();
  }
}
