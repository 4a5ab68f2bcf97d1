package dev.fanout.fetch;

import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The cancel groups of one fetcher: the live tasks of each group, and the groups cancelled
 * recently (ten minutes, at most 100,000), so that a fetch of a cancelled group that arrives
 * after the cancel (it was already on its way) is cancelled at once too. Event-loop confined.
 */
final class CancelGroups {
  private static final long MEMORY_NANOS = 600_000_000_000L;
  private static final int MEMORY_MAX = 100_000;
  private static final FetchTask[] NONE = new FetchTask[0];
  private final Map<String, Set<FetchTask>> live = new HashMap<>();
  /** Recently cancelled groups, oldest first, with the time of the cancel. */
  private final Map<String, Long> cancelled = new LinkedHashMap<>();

  /** Whether {@code group} was cancelled recently. */
  boolean cancelled(String group) {
    return cancelled.containsKey(group);
  }

  /** Counts {@code task} in its group (it has one). */
  void add(FetchTask task) {
    live.computeIfAbsent(task.spec.group(), g -> Collections.newSetFromMap(new IdentityHashMap<>())).add(task);
  }

  /** Forgets a task that ended (whether or not it has a group). */
  void remove(FetchTask task) {
    String group = task.spec.group();
    if (group != null) {
      Set<FetchTask> tasks = live.get(group);
      if (tasks != null && tasks.remove(task) && tasks.isEmpty()) {
        live.remove(group);
      }
    }
  }

  /** Remembers {@code group} as cancelled at {@code now}; returns its live tasks, for the caller to end. */
  FetchTask[] cancel(String group, long now) {
    cancelled.put(group, now);
    for (Iterator<Map.Entry<String, Long>> it = cancelled.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Long> e = it.next();
      if (now - e.getValue() < MEMORY_NANOS && cancelled.size() <= MEMORY_MAX) {
        break;
      }
      it.remove();
    }
    Set<FetchTask> tasks = live.remove(group);
    return tasks == null ? NONE : tasks.toArray(FetchTask[]::new);
  }
}
