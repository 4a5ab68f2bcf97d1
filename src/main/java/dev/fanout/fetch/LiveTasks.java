package dev.fanout.fetch;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * The unfinished tasks of one fetcher, and the news of there being none left (a fetcher that is
 * removed waits for it before it stops). Event-loop confined.
 */
final class LiveTasks {
  private final Set<FetchTask> live = Collections.newSetFromMap(new IdentityHashMap<>());
  private Promise<Void> idle;

  void add(FetchTask task) {
    live.add(task);
  }

  /** The task finished here or was handed over. */
  void remove(FetchTask task) {
    live.remove(task);
    if (idle != null && live.isEmpty()) {
      Promise<Void> p = idle;
      idle = null;
      p.complete();
    }
  }

  /** How many tasks are left. */
  int size() {
    return live.size();
  }

  /** Every task, as a copy (ending one changes the set). */
  FetchTask[] toArray() {
    return live.toArray(FetchTask[]::new);
  }

  /** Completes once no task is left. */
  Future<Void> idle() {
    if (live.isEmpty()) {
      return Future.succeededFuture();
    }
    if (idle == null) {
      idle = Promise.promise();
    }
    return idle.future();
  }
}
