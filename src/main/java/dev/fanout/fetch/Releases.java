package dev.fanout.fetch;

import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The release requests one fetcher owes for the shards it lost, and the waits it inherited. A shard
 * it lost while still pending (its previous owner had not released it yet) may still have fetches
 * running at that previous owner, so whoever asks this fetcher for the shard is answered only once
 * that release came too, or its request timed out. Without this, tables that change twice in a row
 * (two fetchers removed together: A, B, C, then A, C, then A) let a shard go B to C to A with C
 * answering A at once while B still ran the shard's fetches: a host saw twice {@code fetch.perHost}.
 * Event-loop confined, like its {@link Ownership}.
 */
final class Releases {
  private final Map<Integer, List<Asked>> owed = new HashMap<>();
  /** Per shard lost while pending: completes once every release it was still waiting for came. */
  private final Map<Integer, Future<Void>> inherited = new HashMap<>();

  /** A release request, answered once none of its shard's fetches runs here and {@code after} completed. */
  private record Asked(Message<Object> msg, Future<Void> after) {}

  /** Whether a release request of shard {@code k} waits for its answer. */
  boolean owed(int k) {
    return owed.containsKey(k);
  }

  /** The shards with release requests waiting. */
  List<Integer> shards() {
    return List.copyOf(owed.keySet());
  }

  /**
   * A release request of shard {@code k}. It waits for what this fetcher inherited so far, not for
   * a wait it may inherit later: that could be a wait for the asker itself, which only the timeouts
   * would break.
   */
  void add(int k, Message<Object> msg) {
    owed.computeIfAbsent(k, x -> new ArrayList<>()).add(new Asked(msg, waitFor(k)));
  }

  /**
   * Shard {@code k} was lost while this fetcher still waited for {@code request}, its release by
   * the previous owner: requests for {@code k} from now on wait for it too. {@code then} runs once
   * it completed, whether answered or failed (its send timeout bounds the wait).
   */
  void inherit(int k, Future<?> request, Runnable then) {
    Future<Void> both = Future.join(waitFor(k), request).<Void>mapEmpty().otherwiseEmpty();
    inherited.put(k, both);
    both.onComplete(ar -> {
      inherited.remove(k, both);
      then.run();
    });
  }

  /** Replies {@code state} to the requests of shard {@code k} whose inherited wait is over, or to {@code all}. */
  void answer(int k, JsonObject state, boolean all) {
    List<Asked> asked = owed.get(k);
    asked.removeIf(a -> {
      boolean now = all || a.after().isComplete();
      if (now) {
        a.msg().reply(state.copy());
      }
      return now;
    });
    if (asked.isEmpty()) {
      owed.remove(k);
    }
  }

  /** Completes once every inherited wait is over: a fetcher that stops answers what it owes after it. */
  Future<Void> settled() {
    return Future.join(List.copyOf(inherited.values())).mapEmpty();
  }

  private Future<Void> waitFor(int k) {
    return inherited.getOrDefault(k, Future.succeededFuture());
  }
}
