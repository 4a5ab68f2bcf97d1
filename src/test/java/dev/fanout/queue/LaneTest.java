package dev.fanout.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A kind's lane: how many jobs it wants to hold, and that it never runs more than its concurrency. */
class LaneTest {
  private final List<Long> dispatched = new ArrayList<>();

  private Lane lane(int concurrency) {
    Lane lane = new Lane("k", (l, job) -> {
      l.inFlight++;
      dispatched.add(job.id());
    });
    lane.concurrency = concurrency;
    return lane;
  }

  private static JobStore.Claimed job(long id) {
    return new JobStore.Claimed(id, 1, 3, "k", new JsonObject());
  }

  @Test
  void with_no_history_it_wants_its_concurrency_plus_one_claim_batch_or_its_concurrency() {
    assertThat(lane(4).wanted(10)).isEqualTo(8);
    assertThat(lane(10).wanted(10)).isEqualTo(20);
    assertThat(lane(20).wanted(10)).isEqualTo(30);
    assertThat(lane(1).wanted(1)).isEqualTo(2);
  }

  @Test
  void quick_handlers_get_what_they_finish_in_two_round_trips_up_to_two_batches() {
    Lane l = lane(1);
    l.perMs = 1;
    l.rttMs = 5;
    assertThat(l.wanted(10)).isEqualTo(1 + 10);
    l.perMs = 1.5;
    l.rttMs = 4;
    assertThat(l.wanted(10)).isEqualTo(1 + 12);
    l.perMs = 0.25;
    l.rttMs = 5; // 2.5 jobs in two round trips: room for three
    assertThat(l.wanted(1)).isEqualTo(1 + 2);
    assertThat(l.wanted(2)).isEqualTo(1 + 3);
    l.perMs = 100;
    assertThat(l.wanted(10)).isEqualTo(1 + 20);
  }

  @Test
  void it_holds_what_runs_what_waits_and_what_is_asked_for() {
    Lane l = lane(0);
    l.inFlight = 2;
    l.asked = 3;
    l.queue.add(job(1));
    assertThat(l.held()).isEqualTo(6);
  }

  @Test
  void ready_jobs_start_in_claim_order_up_to_the_concurrency() {
    Lane l = lane(2);
    l.queue.add(job(1));
    l.queue.add(job(2));
    l.queue.add(job(3));
    l.dispatchReady();
    assertThat(dispatched).containsExactly(1L, 2L);
    assertThat(l.queue).extracting(JobStore.Claimed::id).containsExactly(3L);
    l.inFlight--;
    l.dispatchReady();
    assertThat(dispatched).containsExactly(1L, 2L, 3L);
    l.dispatchReady();
    assertThat(dispatched).hasSize(3);
  }

  @Test
  void the_round_trip_is_the_first_one_then_smoothed() {
    Lane l = lane(1);
    l.claimed(10_000_000);
    assertThat(l.rttMs).isEqualTo(10.0);
    l.claimed(20_000_000);
    assertThat(l.rttMs).isCloseTo(13.0, within(1e-9));
  }

  @Test
  void the_finish_rate_counts_finishes_since_the_last_claim() {
    Lane l = lane(1);
    l.sinceNanos = System.nanoTime() - 10_000_000; // at least 10 ms ago
    l.finished = 5;
    l.claimed(1_000_000);
    assertThat(l.finished).isZero();
    assertThat(l.perMs).isGreaterThan(0).isLessThanOrEqualTo(0.3 * 5 / 10);
    double first = l.perMs;
    l.sinceNanos = System.nanoTime() - 10_000_000;
    l.claimed(1_000_000);
    assertThat(l.perMs).isCloseTo(0.7 * first, within(1e-12));
  }
}
