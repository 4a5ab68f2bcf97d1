package dev.fanout.queue;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void retry_schedule_stays_within_its_capped_exponential_bounds() {
    assertThat(Backoff.ceilingMs(1000, 600_000, 1)).isEqualTo(1000);
    assertThat(Backoff.ceilingMs(1000, 600_000, 2)).isEqualTo(2000);
    assertThat(Backoff.ceilingMs(1000, 600_000, 10)).isEqualTo(512_000);
    assertThat(Backoff.ceilingMs(1000, 600_000, 11)).isEqualTo(600_000);
    assertThat(Backoff.ceilingMs(1000, 600_000, 500)).isEqualTo(600_000);
    for (int attempt = 1; attempt <= 20; attempt++) {
      long ceiling = Backoff.ceilingMs(1000, 600_000, attempt);
      long max = 0;
      for (int i = 0; i < 2000; i++) {
        long d = Backoff.delayMs(1000, 600_000, attempt);
        assertThat(d).isBetween(0L, ceiling);
        max = Math.max(max, d);
      }
      assertThat(max).as("full jitter reaches the upper part of the range").isGreaterThan(ceiling / 2);
    }
  }
}
