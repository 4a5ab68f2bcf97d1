package dev.fanout.retry;

import dev.fanout.bus.ErrorKind;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which failures are worth another try: the fetcher's retries of an attempt and the built-in
 * {@code fetch} job handler's decision to retry a job read the same lists.
 *
 * <p>An attempt is retried after a connect, reset or timeout failure, or one of the statuses 408,
 * 425, 429, 500, 502, 503 and 504 (a 501 or 505 will not change on a retry). A whole fetch is worth
 * running again later on those, and also when it was refused as {@code overloaded}: fanout had no
 * room for it then, which the fetcher itself cannot retry (the refusal is its own).
 */
public final class Retryable {
  private static final Set<ErrorKind> ATTEMPT = EnumSet.of(ErrorKind.CONNECT, ErrorKind.RESET, ErrorKind.TIMEOUT);
  private static final Set<ErrorKind> FETCH = EnumSet.of(ErrorKind.CONNECT, ErrorKind.RESET, ErrorKind.TIMEOUT,
      ErrorKind.OVERLOADED);

  private Retryable() {}

  /** Whether an attempt that failed with {@code kind} is retried by the fetcher. */
  public static boolean attempt(ErrorKind kind) {
    return ATTEMPT.contains(kind);
  }

  /** Whether a response with {@code status} is retried. */
  public static boolean status(int status) {
    return switch (status) {
      case 408, 425, 429, 500, 502, 503, 504 -> true;
      default -> false;
    };
  }

  /**
   * Whether a fetch that ended with error {@code kind} (null when it succeeded) and {@code status}
   * (0 when no response came) is worth running again later, as a job's next attempt.
   */
  public static boolean fetch(ErrorKind kind, int status) {
    return kind != null && (FETCH.contains(kind) || kind == ErrorKind.HTTP_STATUS && status(status));
  }
}
