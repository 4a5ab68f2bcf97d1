package dev.fanout.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
  private static final long NOW = ZonedDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC).toInstant().toEpochMilli();

  @Test
  void reads_delta_seconds_and_http_dates() {
    assertThat(RetryAfter.parseMs("120", NOW)).isEqualTo(120_000);
    assertThat(RetryAfter.parseMs(" 7 ", NOW)).isEqualTo(7_000);
    assertThat(RetryAfter.parseMs("0", NOW)).isZero();
    assertThat(RetryAfter.parseMs("Thu, 01 Jan 2026 00:00:30 GMT", NOW)).isEqualTo(30_000);
    assertThat(RetryAfter.parseMs("Wed, 31 Dec 2025 00:00:00 GMT", NOW)).isZero();
  }

  @Test
  void absent_or_unparseable_is_minus_one() {
    assertThat(RetryAfter.parseMs(null, NOW)).isEqualTo(-1);
    assertThat(RetryAfter.parseMs("  ", NOW)).isEqualTo(-1);
    assertThat(RetryAfter.parseMs("soon", NOW)).isEqualTo(-1);
    assertThat(RetryAfter.parseMs("-5", NOW)).isEqualTo(-1);
    assertThat(RetryAfter.cappedMs("soon", NOW, 60_000)).isEqualTo(-1);
  }

  @Test
  void an_oversized_wait_is_the_longest_wait_never_now() {
    assertThat(RetryAfter.parseMs("9223372036854775807", NOW)).isEqualTo(Long.MAX_VALUE);
    assertThat(RetryAfter.parseMs("99999999999999999999999", NOW)).isEqualTo(Long.MAX_VALUE);
    assertThat(RetryAfter.cappedMs("99999999999999999999999", NOW, 60_000)).isEqualTo(60_000);
    assertThat(RetryAfter.cappedMs("9223372036854775", NOW, 60_000)).isEqualTo(60_000);
  }

  @Test
  void the_cap_shortens_only_longer_waits() {
    assertThat(RetryAfter.cappedMs("120", NOW, 60_000)).isEqualTo(60_000);
    assertThat(RetryAfter.cappedMs("5", NOW, 60_000)).isEqualTo(5_000);
    assertThat(RetryAfter.cappedMs("Thu, 01 Jan 2026 00:00:30 GMT", NOW, 10_000)).isEqualTo(10_000);
  }
}
