package dev.fanout.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.ErrorKind;
import org.junit.jupiter.api.Test;

/** The fetcher's settings reach the shared policy (dev.fanout.retry): base, cap and Retry-After cap. */
class RetryPolicySettingsTest {
  private final RetryPolicy policy = new RetryPolicy(100, 1000, 60_000);

  @Test
  void backoff_is_jittered_over_the_whole_window_not_zero() {
    for (int retry = 1; retry <= 5; retry++) {
      long ceiling = policy.ceilingMs(retry);
      long max = 0;
      long zeros = 0;
      for (int i = 0; i < 2000; i++) {
        long d = policy.backoffMs(retry);
        assertThat(d).isBetween(0L, ceiling);
        max = Math.max(max, d);
        zeros += d == 0 ? 1 : 0;
      }
      assertThat(max).as("retry %d", retry).isGreaterThan(ceiling / 2);
      assertThat(zeros).as("retry %d", retry).isLessThan(100);
    }
  }

  @Test
  void retry_after_is_shortened_to_its_cap_and_never_means_now() {
    assertThat(policy.retryAfter("5", 0)).isEqualTo(5_000);
    assertThat(policy.retryAfter("3600", 0)).isEqualTo(60_000);
    assertThat(policy.retryAfter("99999999999999999999", 0)).isEqualTo(60_000);
    assertThat(policy.retryAfter("later", 0)).isEqualTo(-1);
  }

  @Test
  void classification_is_the_shared_one() {
    assertThat(RetryPolicy.retryable(503)).isTrue();
    assertThat(RetryPolicy.retryable(501)).isFalse();
    assertThat(RetryPolicy.retryable(ErrorKind.RESET)).isTrue();
    assertThat(RetryPolicy.retryable(ErrorKind.DNS)).isFalse();
  }
}
