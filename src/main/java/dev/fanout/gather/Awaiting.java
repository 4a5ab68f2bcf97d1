package dev.fanout.gather;

import dev.fanout.bus.ErrorKind;
import dev.fanout.bus.FetchResult;
import dev.fanout.bus.FetchSpec;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.function.BiConsumer;

/**
 * The fetches a gather sent and has no result for yet. Those handed straight to a fetcher of this
 * process are watched, in the order sent, by one periodic check that answers an overdue one
 * ({@code overloaded}, as the bus's reply timeout would) instead of a timer per fetch. Confined to
 * the gather's context.
 */
final class Awaiting {
  private static final long CHECK_MS = 1_000;

  /** A fetch sent and not answered yet. */
  static final class Pending {
    final FetchSpec spec;
    final long index;
    final long sentNanos = System.nanoTime();
    boolean done;

    Pending(FetchSpec spec, long index) {
      this.spec = spec;
      this.index = index;
    }
  }

  private final Vertx vertx;
  private final long timeoutMs;
  private final int compactAt;
  private final BiConsumer<Pending, Object> onResult;
  private final ArrayDeque<Pending> watched = new ArrayDeque<>();
  private long timer = -1;

  /** Answers an overdue fetch through {@code onResult}, after {@code timeoutMs}. */
  Awaiting(Vertx vertx, long timeoutMs, int concurrency, BiConsumer<Pending, Object> onResult) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
    this.compactAt = 2 * concurrency + 1024;
    this.onResult = onResult;
  }

  /** The result of a fetch sent over the bus, with its own reply timeout. */
  static FetchResult noReply(FetchSpec spec, String why) {
    return FetchResult.failed(spec.url(), ErrorKind.OVERLOADED, "no reply from the fetchers: " + why, 0, 0);
  }

  /** Watches {@code p} (handed to a fetcher here) for its reply timeout. Call on the gather's context. */
  void watch(Pending p) {
    watched.add(p);
    if (timer < 0) {
      timer = vertx.setPeriodic(CHECK_MS, id -> check());
    }
  }

  /** Marks {@code p} answered; false when it was answered already (its reply came after it was overdue). */
  boolean answer(Pending p) {
    if (p.done) {
      return false;
    }
    p.done = true;
    while (!watched.isEmpty() && watched.peek().done) {
      watched.poll();
    }
    return true;
  }

  private void check() {
    long now = System.nanoTime();
    for (Pending p; (p = watched.peek()) != null && (p.done || now - p.sentNanos >= timeoutMs * 1_000_000); ) {
      watched.poll();
      if (!p.done) {
        onResult.accept(p, noReply(p.spec, "timed out after " + timeoutMs + " ms"));
      }
    }
    if (watched.size() > compactAt) {
      watched.removeIf(p -> p.done); // answered ones behind a slow head
    }
    if (watched.isEmpty()) {
      close();
    }
  }

  /** Stops watching (nothing is left to watch). */
  void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}
