package dev.fanout.retry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.ErrorKind;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RetryableTest {
  private static final Set<ErrorKind> ATTEMPT = EnumSet.of(ErrorKind.CONNECT, ErrorKind.RESET, ErrorKind.TIMEOUT);
  private static final Set<Integer> STATUSES = Set.of(408, 425, 429, 500, 502, 503, 504);

  @ParameterizedTest
  @EnumSource(ErrorKind.class)
  void an_attempt_is_retried_after_connect_reset_and_timeout_only(ErrorKind kind) {
    assertThat(Retryable.attempt(kind)).as(kind.wire()).isEqualTo(ATTEMPT.contains(kind));
  }

  @Test
  void only_the_listed_statuses_are_retried() {
    for (int status = 100; status < 600; status++) {
      assertThat(Retryable.status(status)).as("status %d", status).isEqualTo(STATUSES.contains(status));
    }
    assertThat(Retryable.status(0)).isFalse();
  }

  @ParameterizedTest
  @EnumSource(ErrorKind.class)
  void a_fetch_runs_again_later_on_what_an_attempt_retries_and_on_overloaded(ErrorKind kind) {
    boolean expected = ATTEMPT.contains(kind) || kind == ErrorKind.OVERLOADED;
    assertThat(Retryable.fetch(kind, 0)).as(kind.wire()).isEqualTo(expected);
  }

  @Test
  void a_fetch_with_a_status_runs_again_on_the_retried_statuses_alone() {
    for (int status = 100; status < 600; status++) {
      assertThat(Retryable.fetch(ErrorKind.HTTP_STATUS, status)).as("status %d", status)
          .isEqualTo(STATUSES.contains(status));
    }
    // the drift this class ended: 501 and 505 are not retried by the job handler either
    assertThat(Retryable.fetch(ErrorKind.HTTP_STATUS, 501)).isFalse();
    assertThat(Retryable.fetch(ErrorKind.HTTP_STATUS, 505)).isFalse();
    // a status counts only with the http-status kind, and a success never runs again
    assertThat(Retryable.fetch(ErrorKind.TOO_LARGE, 503)).isFalse();
    assertThat(Retryable.fetch(null, 503)).isFalse();
  }
}
