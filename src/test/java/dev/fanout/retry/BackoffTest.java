package dev.fanout.retry;

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

  @Test
  void delays_are_not_zero_and_grow_until_the_cap() {
    double previousMean = 0;
    for (int n = 1; n <= 6; n++) {
      long sum = 0;
      long positive = 0;
      for (int i = 0; i < 4000; i++) {
        long d = Backoff.delayMs(100, 10_000, n);
        sum += d;
        positive += d > 0 ? 1 : 0;
      }
      double mean = sum / 4000.0;
      // full jitter: the mean is half the ceiling (100 * 2^(n-1) / 2), far from 0
      assertThat(mean).as("mean delay after failure %d", n).isBetween(Backoff.ceilingMs(100, 10_000, n) * 0.4,
          Backoff.ceilingMs(100, 10_000, n) * 0.6);
      assertThat(positive).as("delays above 0 after failure %d", n).isGreaterThan(3900);
      assertThat(mean).isGreaterThan(previousMean * 1.5);
      previousMean = mean;
    }
  }

  @Test
  void the_ceiling_holds_at_the_cap_and_below_one() {
    assertThat(Backoff.ceilingMs(100, 10_000, 0)).isEqualTo(100);
    assertThat(Backoff.ceilingMs(100, 10_000, -3)).isEqualTo(100);
    assertThat(Backoff.ceilingMs(100, 10_000, 8)).isEqualTo(10_000);
    assertThat(Backoff.ceilingMs(100, 10_000, Integer.MAX_VALUE)).isEqualTo(10_000);
    assertThat(Backoff.ceilingMs(Long.MAX_VALUE / 2, Long.MAX_VALUE, 3)).isEqualTo(Long.MAX_VALUE);
    assertThat(Backoff.ceilingMs(0, 10_000, 5)).isZero();
    assertThat(Backoff.delayMs(0, 10_000, 5)).isZero();
    for (int i = 0; i < 1000; i++) {
      assertThat(Backoff.delayMs(100, 10_000, 40)).isBetween(0L, 10_000L);
    }
  }
}
