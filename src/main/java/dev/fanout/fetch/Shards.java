package dev.fanout.fetch;

import dev.fanout.bus.FetchResult;
import dev.fanout.bus.Handoff;
import io.vertx.core.Future;

/** What a {@link Fetcher} asks of the ownership of host shards ({@link Ownership}). */
interface Shards {
  /** Whether this fetcher owns {@code hostKey} now: it runs its fetches, else hands them on. */
  boolean owns(String hostKey);

  /** Whether fetches of {@code hostKey} wait (its shard is moving here and not released yet). */
  boolean held(String hostKey);

  /** Sends a fetch this fetcher does not own to the owner of its host; completes with its result. */
  Future<FetchResult> handOff(Handoff h);

  /** A fetch of {@code hostKey} gave its host slot back. */
  void freed(String hostKey);
}
