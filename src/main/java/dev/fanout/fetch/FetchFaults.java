package dev.fanout.fetch;

import dev.fanout.net.UrlTarget;
import java.util.function.BiPredicate;

/**
 * A test hook that makes chosen steps of a fetch throw, to prove that every permit (global, per
 * host, capture budget) comes back on every path. Unset in production: each point then costs one
 * volatile read.
 */
public final class FetchFaults {
  /** Where a fault can be injected. */
  public enum Point {
    /** While the request is built, where Vert.x's header validation throws. */
    START,
    /** Inside the response body handler, for each chunk. */
    BODY,
    /** While the result is turned into its reply (the encoder). */
    ENCODE,
    /** In the callback that handles an attempt's outcome. */
    CALLBACK
  }

  private static volatile BiPredicate<Point, String> hook;

  private FetchFaults() {}

  /** Throws at {@code point} for every fetch whose URL {@code when} accepts. */
  public static void inject(BiPredicate<Point, String> when) {
    hook = when;
  }

  /** Removes the hook. */
  public static void clear() {
    hook = null;
  }

  static void at(Point point, String url) {
    BiPredicate<Point, String> h = hook;
    if (h != null && h.test(point, url)) {
      throw new IllegalStateException("injected fault at " + point);
    }
  }

  /** {@link #at(Point, String)} with the target's normalised URL, made only when a hook is set. */
  static void at(Point point, UrlTarget target) {
    if (hook != null) {
      at(point, target.normalised());
    }
  }
}
