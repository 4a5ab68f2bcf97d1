package dev.fanout.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** One host's politeness state: pauses only grow, and a host is idle only when forgetting it loses nothing. */
class HostLimiterTest {
  private static final long NOW = 1_000_000_000L;

  @Test
  void a_shorter_retry_after_never_shortens_a_pause() {
    HostLimiter h = new HostLimiter("example.com:80");
    h.pauseUntil(NOW + 5_000);
    h.pauseUntil(NOW + 1_000);
    assertThat(h.waitNanos(NOW)).isEqualTo(5_000);
    h.pauseUntil(NOW + 7_000);
    assertThat(h.waitNanos(NOW)).isEqualTo(7_000);
    assertThat(h.waitNanos(NOW + 7_000)).isZero();
    assertThat(h.waitNanos(NOW + 9_000)).isZero();
  }

  @Test
  void the_rate_limit_spaces_starts_and_zero_means_unlimited() {
    HostLimiter h = new HostLimiter("example.com:80");
    h.started(NOW, 0);
    assertThat(h.waitNanos(NOW)).isZero();
    h.started(NOW, 100);
    assertThat(h.waitNanos(NOW)).isEqualTo(100);
    h.started(NOW, 100); // a start before the next slot books the one after it
    assertThat(h.waitNanos(NOW)).isEqualTo(200);
    h.started(NOW + 1_000, 100); // after a quiet spell, spacing counts from now
    assertThat(h.waitNanos(NOW + 1_000)).isEqualTo(100);
  }

  @Test
  void a_host_with_fetches_in_flight_is_not_idle() {
    HostLimiter h = new HostLimiter("example.com:80");
    assertThat(h.idle(NOW)).isTrue();
    h.inFlight = 1;
    assertThat(h.idle(NOW)).isFalse();
    h.inFlight = 0;
    assertThat(h.idle(NOW)).isTrue();
  }

  @Test
  void a_host_with_a_wake_up_or_a_pause_pending_is_not_idle() {
    HostLimiter h = new HostLimiter("example.com:80");
    h.wakeTimer = 7;
    assertThat(h.idle(NOW)).isFalse();
    h.wakeTimer = -1;
    h.pauseUntil(NOW + 10);
    assertThat(h.idle(NOW)).isFalse();
    assertThat(h.idle(NOW + 10)).isTrue();
  }
}
