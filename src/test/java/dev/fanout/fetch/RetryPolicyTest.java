package dev.fanout.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.ErrorKind;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The fetcher's retry policy: what is retried, the jittered backoff, and Retry-After. */
class RetryPolicyTest {
  private static final long NOW = 1_700_000_000_000L;

  @Test
  void backoff_is_spread_over_zero_to_its_ceiling() {
    RetryPolicy p = new RetryPolicy(100, 400, 1_000);
    long[] first = LongStream.range(0, 400).map(i -> p.backoffMs(1)).toArray();
    long[] third = LongStream.range(0, 400).map(i -> p.backoffMs(3)).toArray();
    assertThat(LongStream.of(first).min().getAsLong()).isNotNegative();
    assertThat(LongStream.of(first).max().getAsLong()).isLessThanOrEqualTo(100);
    assertThat(LongStream.of(third).min().getAsLong()).isNotNegative();
    assertThat(LongStream.of(third).max().getAsLong()).isLessThanOrEqualTo(400);
    // full jitter: with 400 draws each, missing the upper half has probability 2^-400
    assertThat(LongStream.of(first).max().getAsLong()).isGreaterThan(50);
    assertThat(LongStream.of(third).max().getAsLong()).isGreaterThan(200);
    assertThat(new RetryPolicy(0, 400, 1_000).backoffMs(5)).isZero();
  }

  @Test
  void the_ceiling_doubles_up_to_the_maximum_and_never_overflows() {
    RetryPolicy p = new RetryPolicy(100, 1_000, 1_000);
    assertThat(p.ceilingMs(1)).isEqualTo(100);
    assertThat(p.ceilingMs(2)).isEqualTo(200);
    assertThat(p.ceilingMs(4)).isEqualTo(800);
    assertThat(p.ceilingMs(5)).isEqualTo(1_000);
    assertThat(p.ceilingMs(1_000)).isEqualTo(1_000);
    assertThat(new RetryPolicy(Long.MAX_VALUE / 2, Long.MAX_VALUE, 0).ceilingMs(3)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void an_oversized_retry_after_is_the_cap_never_now() {
    RetryPolicy p = new RetryPolicy(100, 1_000, 300);
    // more digits than a long holds, and a count of seconds whose milliseconds overflow
    assertThat(RetryPolicy.parseRetryAfter("99999999999999999999", NOW)).isEqualTo(Long.MAX_VALUE);
    assertThat(RetryPolicy.parseRetryAfter("9999999999999999", NOW)).isEqualTo(Long.MAX_VALUE);
    assertThat(p.retryAfter("99999999999999999999", NOW)).isEqualTo(300);
    assertThat(p.retryAfter("9999999999999999", NOW)).isEqualTo(300);
    assertThat(p.retryAfter("3600", NOW)).isEqualTo(300);
    assertThat(p.retryAfter("0", NOW)).isZero();
    assertThat(p.retryAfter(" 2 ", NOW)).isEqualTo(300);
    assertThat(new RetryPolicy(100, 1_000, 60_000).retryAfter("2", NOW)).isEqualTo(2_000);
  }

  @Test
  void retry_after_dates_count_from_now_and_junk_is_absent() {
    assertThat(RetryPolicy.parseRetryAfter("Tue, 14 Nov 2023 22:13:25 GMT", NOW)).isEqualTo(5_000);
    assertThat(RetryPolicy.parseRetryAfter("Tue, 14 Nov 2023 22:13:15 GMT", NOW)).isZero();
    assertThat(RetryPolicy.parseRetryAfter("soon", NOW)).isEqualTo(-1);
    assertThat(RetryPolicy.parseRetryAfter("", NOW)).isEqualTo(-1);
    assertThat(RetryPolicy.parseRetryAfter(null, NOW)).isEqualTo(-1);
    assertThat(new RetryPolicy(100, 1_000, 300).retryAfter("soon", NOW)).isEqualTo(-1);
  }

  @Test
  void retries_transient_failures_and_statuses_only() {
    assertThat(RetryPolicy.retryable(ErrorKind.CONNECT)).isTrue();
    assertThat(RetryPolicy.retryable(ErrorKind.RESET)).isTrue();
    assertThat(RetryPolicy.retryable(ErrorKind.TIMEOUT)).isTrue();
    assertThat(RetryPolicy.retryable(ErrorKind.HTTP_STATUS)).isFalse();
    assertThat(RetryPolicy.retryable(ErrorKind.CANCELLED)).isFalse();
    for (int s : new int[] {408, 425, 429, 500, 502, 503, 504}) {
      assertThat(RetryPolicy.retryable(s)).as("status " + s).isTrue();
    }
    for (int s : new int[] {200, 301, 400, 404, 501, 505}) {
      assertThat(RetryPolicy.retryable(s)).as("status " + s).isFalse();
    }
  }
}
