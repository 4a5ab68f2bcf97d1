package dev.fanout.fetch;

import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Attempt time limits, checked by one periodic tick instead of a Vert.x timer per attempt. Nearly
 * every attempt is cancelled (it finished in time), and Vert.x timers cost a map entry, a
 * scheduled task and a cancellation each; here scheduling is an append and cancelling a flag.
 * Entries of one duration expire in the order they were added, so each duration keeps a FIFO
 * queue and the tick only looks at the heads. Limits fire up to one tick late. Written by hand
 * because it lives on the fetcher's event loop; single-threaded.
 */
final class Timeouts {
  private static final Logger LOG = LoggerFactory.getLogger(Timeouts.class);
  static final long TICK_MS = 10;

  /** A scheduled action; {@link #cancel()} it when it is no longer wanted. */
  final class Entry {
    final long atNanos;
    Runnable action;
    long timerId = -1;

    Entry(long atNanos, Runnable action) {
      this.atNanos = atNanos;
      this.action = action;
    }

    void cancel() {
      action = null;
      if (timerId >= 0) {
        vertx.cancelTimer(timerId);
        timerId = -1;
      }
    }
  }

  private final Vertx vertx;
  private final Map<Long, ArrayDeque<Entry>> byDuration = new HashMap<>();
  private long tickTimer = -1;
  private long lastMs = -1;
  private ArrayDeque<Entry> last;
  private long previousMs = -1;
  private ArrayDeque<Entry> previous;
  private int size;

  Timeouts(Vertx vertx) {
    this.vertx = vertx;
  }

  /**
   * Runs {@code action} on this event loop about {@code ms} milliseconds from now, unless
   * cancelled: at most one tick late, except that limits under ten ticks, where a tick would be a
   * tenth or more, get an exact timer.
   */
  Entry schedule(long ms, Runnable action) {
    if (ms < TICK_MS * 10) {
      return scheduleExact(ms, action);
    }
    Entry e = new Entry(System.nanoTime() + ms * 1_000_000, action);
    lane(ms).add(e);
    size++;
    if (tickTimer < 0) {
      tickTimer = vertx.setPeriodic(TICK_MS, id -> tick());
    }
    return e;
  }

  /**
   * The queue of duration {@code ms}. The two used last (a fetcher's attempt limit and idle timeout,
   * nearly always) are kept at hand, and kept in the map even while empty: no boxed key and no
   * lookup per schedule.
   */
  private ArrayDeque<Entry> lane(long ms) {
    if (ms == lastMs) {
      return last;
    }
    if (ms == previousMs) {
      return previous;
    }
    ArrayDeque<Entry> q = byDuration.computeIfAbsent(ms, k -> new ArrayDeque<>());
    previousMs = lastMs;
    previous = last;
    lastMs = ms;
    last = q;
    return q;
  }

  /**
   * Runs {@code action} in exactly {@code ms} milliseconds (a Vert.x timer), for the rare action
   * whose duration varies, which the per-duration queues would not suit.
   */
  Entry scheduleExact(long ms, Runnable action) {
    Entry e = new Entry(System.nanoTime() + ms * 1_000_000, action);
    e.timerId = vertx.setTimer(Math.max(1, ms), id -> {
      e.timerId = -1;
      Runnable a = e.action;
      if (a != null) {
        e.action = null;
        a.run();
      }
    });
    return e;
  }

  /**
   * Collects the due actions first, then runs them: an action may schedule (a released host slot
   * starts the next fetch, which schedules its limit), and a new duration would change the map
   * being iterated. Each action runs guarded, so one that throws cannot strand the rest.
   */
  private void tick() {
    long now = System.nanoTime();
    List<Entry> due = new ArrayList<>();
    for (Iterator<ArrayDeque<Entry>> it = byDuration.values().iterator(); it.hasNext(); ) {
      ArrayDeque<Entry> q = it.next();
      Entry head;
      while ((head = q.peek()) != null && (head.action == null || head.atNanos - now <= 0)) {
        q.poll();
        size--;
        if (head.action != null) {
          due.add(head);
        }
      }
      if (q.size() > 1024) {
        compact(q);
      }
      if (q.isEmpty() && q != last && q != previous) {
        it.remove();
      }
    }
    for (Entry e : due) {
      Runnable action = e.action; // an earlier action of this tick may have cancelled it
      if (action != null) {
        e.action = null;
        try {
          action.run();
        } catch (RuntimeException ex) {
          LOG.error("a timeout action failed", ex);
        }
      }
    }
    if (size == 0 && tickTimer >= 0) {
      vertx.cancelTimer(tickTimer);
      tickTimer = -1;
    }
  }

  /** Drops cancelled entries stuck behind a long-running head, so memory follows live attempts. */
  private void compact(ArrayDeque<Entry> q) {
    int before = q.size();
    q.removeIf(e -> e.action == null);
    size -= before - q.size();
  }

  /** Stops ticking (the fetcher is stopping). */
  void close() {
    if (tickTimer >= 0) {
      vertx.cancelTimer(tickTimer);
      tickTimer = -1;
    }
  }
}
