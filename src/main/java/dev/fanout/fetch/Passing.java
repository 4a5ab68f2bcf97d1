package dev.fanout.fetch;

import dev.fanout.bus.Addresses;
import dev.fanout.bus.LocalJsonCodec;
import dev.fanout.cluster.Membership;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passing fetches on to the owner of their host, at the owner's own address ({@code
 * fanout.fetcher.<id>}, not the shard address: a fetcher's address exists before anyone routes to
 * it, a shard's subscription may still be on its way through the cluster). A hop count travels
 * with each fetch, so fetchers whose tables disagree for a moment cannot pass it back and forth
 * for ever. Event-loop confined.
 */
final class Passing {
  /** The header counting how often a fetch was passed on between fetchers. */
  static final String HOPS = "fanout-hops";
  /** Passed on more often than this, a fetch fails {@code overloaded}: the owners disagree too long. */
  static final int MAX_HOPS = 8;
  private static final long BUS_MARGIN_MS = 10_000;
  /** The wait before asking again when the owner's node has left and the table does not say so yet. */
  private static final long STALE_OWNER_MS = 100;
  private static final Logger LOG = LoggerFactory.getLogger(Passing.class);

  private final Vertx vertx;
  private final Function<String, String> ownerOf;
  /** Fetches passed on and not answered yet: their replies come back through this fetcher. */
  private int count;
  private Promise<Void> quiet;
  /** The fetches passed on and not answered, by the node they went to. */
  private final Map<String, Set<Promise<Message<JsonObject>>>> waiting = new HashMap<>();

  /** {@code ownerOf} gives the id of a host key's owner as this fetcher knows it (null: none). */
  Passing(Vertx vertx, Function<String, String> ownerOf) {
    this.vertx = vertx;
    this.ownerOf = ownerOf;
  }

  /**
   * Sends a fetch (a spec or a hand-off) to the owner of {@code hostKey} at its own address, as the
   * {@code hops}th pass. Past a couple of passes (the owners' tables disagree for a moment) it waits
   * a little first; past {@link #MAX_HOPS} it fails. An owner that has no consumer (yet, as seen
   * from here) is asked again, as the next pass.
   */
  Future<Message<JsonObject>> passOn(String hostKey, Object fetch, long waitMs, int hops) {
    count++;
    return toOwner(hostKey, fetch, waitMs, hops).onComplete(ar -> {
      if (--count == 0 && quiet != null) {
        quiet.complete();
        quiet = null;
      }
    });
  }

  /**
   * Completes once every fetch this fetcher passed on was answered: a fetcher that stops waits for
   * it, since the replies come back through its context.
   */
  Future<Void> quiet() {
    if (count == 0) {
      return Future.succeededFuture();
    }
    if (quiet == null) {
      quiet = Promise.promise();
    }
    return quiet.future();
  }

  private Future<Message<JsonObject>> toOwner(String hostKey, Object fetch, long waitMs, int hops) {
    String owner = ownerOf.apply(hostKey);
    if (owner == null || hops > MAX_HOPS) {
      return Future.failedFuture(owner == null ? "no fetcher owns " + hostKey
          : "the owner of " + hostKey + " is moving; retry");
    }
    if (!Membership.live(vertx, FetcherRegistry.nodeOf(owner))) {
      // the table still names a node that left (a message sent there would be lost until its send
      // timeout): the table is recomputed on the news, so ask again in a moment, as the next pass
      if (LOG.isDebugEnabled()) {
        LOG.debug("{}: its owner {} is on a node that left; asking again in {} ms", hostKey, owner, STALE_OWNER_MS);
      }
      return delay(STALE_OWNER_MS).compose(v -> toOwner(hostKey, fetch, waitMs, hops + 1));
    }
    if (LOG.isDebugEnabled()) { // per fetch passed on: no argument array unless it is written
      LOG.debug("{} passed to its owner {} (pass {})", hostKey, owner, hops);
    }
    DeliveryOptions opts = LocalJsonCodec.options(waitMs + BUS_MARGIN_MS).addHeader(HOPS, String.valueOf(hops));
    return delay(hops <= 2 ? 0 : 10L * hops)
        .compose(v -> watched(FetcherRegistry.nodeOf(owner),
            vertx.eventBus().<JsonObject>request(Addresses.fetcher(owner), fetch, opts)))
        .recover(e -> e instanceof ReplyException r && r.failureType() == ReplyFailure.NO_HANDLERS
            ? toOwner(hostKey, fetch, waitMs, hops + 1) : Future.failedFuture(e));
  }

  /** {@code request}, failed at once if the node it went to leaves before it answers. */
  private Future<Message<JsonObject>> watched(String node, Future<Message<JsonObject>> request) {
    Promise<Message<JsonObject>> p = Promise.promise();
    Set<Promise<Message<JsonObject>>> onNode = waiting.computeIfAbsent(node, n -> new HashSet<>());
    onNode.add(p);
    request.onComplete(ar -> {
      onNode.remove(p);
      if (onNode.isEmpty()) {
        waiting.remove(node, onNode);
      }
      if (ar.succeeded()) {
        p.tryComplete(ar.result());
      } else {
        p.tryFail(ar.cause());
      }
    });
    return p.future();
  }

  /**
   * {@code node} left the cluster: the fetches passed on to its fetchers will not be answered; they
   * fail now ({@code overloaded}, retryable) rather than at their deadline.
   */
  void nodeLeft(String node) {
    Set<Promise<Message<JsonObject>>> gone = waiting.remove(node);
    if (gone != null) {
      List.copyOf(gone).forEach(p -> p.tryFail("the node of the host's owner left the cluster"));
    }
  }

  private Future<Void> delay(long ms) {
    if (ms == 0) {
      return Future.succeededFuture();
    }
    Promise<Void> p = Promise.promise();
    vertx.setTimer(ms, id -> p.complete());
    return p.future();
  }
}
