package dev.fanout.fetch;

import dev.fanout.bus.Addresses;
import dev.fanout.bus.FetchResult;
import dev.fanout.bus.Handoff;
import dev.fanout.bus.HostShards;
import dev.fanout.cluster.Membership;
import dev.fanout.metrics.FetcherGauges;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host shards one fetcher owns, as its node's {@link OwnerTable} says, and their moves. A
 * shard it gains: it consumes the shard's address and, while the previous owner (on a live node)
 * has not released it, queues that shard's fetches without starting any (pending), for at most
 * {@code fetch.handoverTimeoutMs}. A shard it loses, by its table or by the new owner's release
 * request (which wins): it stops consuming it, hands the queued fetches to the new owner, lets the
 * running ones end, then answers the request with the hosts' spacing and pause; for a shard it lost
 * while pending, only once that wait is over too ({@link Releases}). Event-loop confined but for
 * {@link #status()}.
 */
final class Ownership implements Shards, FetcherRegistry.Member {
  private static final Logger LOG = LoggerFactory.getLogger(Ownership.class);
  /**
   * How long the address of a shard this fetcher lost stays consumed (what arrives is passed on):
   * Vert.x drops, rather than fails, a message that reaches a consumer as it unregisters.
   */
  private static final long LINGER_MS = 2_000;

  private final Vertx vertx;
  private final Context context;
  private final String self;
  private final long handoverTimeoutMs;
  private final Handler<Message<Object>> onFetch;
  private final Runnable refresh;
  private final List<MessageConsumer<?>> lingering = new ArrayList<>();
  private final MessageConsumer<?>[] consumers = new MessageConsumer<?>[HostShards.COUNT];
  /** The pending shards: the release request each waits for (a request that is not this one is stale). */
  private final Map<Integer, Future<Message<JsonObject>>> pending = new HashMap<>();
  /** The fetcher each pending shard waits for. */
  private final Map<Integer, String> awaited = new HashMap<>();
  private final Map<Integer, String> yielded = new HashMap<>();
  private final Releases releases = new Releases();
  private Fetcher fetcher;
  /** The fetcher's counts, read by {@link #status} on other threads. */
  private volatile FetcherGauges counts;
  private OwnerTable table;
  private boolean closed;
  private final Passing passing;
  private volatile JsonObject status;

  /** {@code refresh} asks the node to read the live fetchers again (a release request proved it behind). */
  Ownership(Vertx vertx, Context context, String self, long handoverTimeoutMs, Handler<Message<Object>> onFetch,
      Runnable refresh) {
    this.refresh = refresh;
    this.vertx = vertx;
    this.context = context;
    this.self = self;
    this.handoverTimeoutMs = handoverTimeoutMs;
    this.onFetch = onFetch;
    this.passing = new Passing(vertx, this::ownerOf);
    this.status = new JsonObject().put("id", self).put("shards", 0).put("pending", 0);
  }

  /** How this fetcher passes fetches on to their hosts' owners. */
  Passing passing() {
    return passing;
  }

  void attach(Fetcher f, FetcherGauges meters) {
    this.fetcher = f;
    this.counts = meters;
  }

  @Override
  public String id() {
    return self;
  }

  @Override
  public Context context() {
    return context;
  }

  @Override
  public JsonObject status() {
    FetcherGauges c = counts;
    return c == null ? status.copy() : status.copy().put("inFlight", c.inFlight()).put("queued", c.queued());
  }

  /** The owner of {@code hostKey}'s shard as this fetcher knows it; null before a table or with none. */
  String ownerOf(String hostKey) {
    int k = HostShards.shardOf(hostKey);
    String y = yielded.get(k);
    return y != null ? y : table == null ? null : table.owner(k);
  }

  @Override
  public boolean owns(String hostKey) {
    return self.equals(ownerOf(hostKey));
  }

  @Override
  public boolean held(String hostKey) {
    return !owns(hostKey) || pending.containsKey(HostShards.shardOf(hostKey));
  }

  @Override
  public Future<FetchResult> handOff(Handoff h) {
    return passing.passOn(h.next().target().hostKey(), h, h.deadlineLeftMs(), 1)
        .map(m -> FetchResult.of(((Message<?>) m).body())); // the value, or JSON from another node
  }

  @Override
  public void freed(String hostKey) {
    freedShard(HostShards.shardOf(hostKey));
  }

  @Override
  public Future<Void> apply(OwnerTable previous, OwnerTable next) {
    if (closed || table != null && next.version() <= table.version()) {
      return Future.succeededFuture();
    }
    OwnerTable before = table != null ? table : previous;
    table = next;
    // a shard waiting for a fetcher whose node left: that release will never come (the fetches it
    // ran died with it), so its fetches start now instead of after fetch.handoverTimeoutMs
    List.copyOf(awaited.entrySet()).forEach(e -> {
      if (!Membership.live(vertx, FetcherRegistry.nodeOf(e.getValue()))) {
        released(e.getKey(), pending.get(e.getKey()), null, null);
      }
    });
    // a newer table supersedes the releases given before it; a shard given away and now back here
    // is asked back from the fetcher it was given to
    Map<Integer, String> given = new HashMap<>(yielded);
    yielded.clear();
    List<Future<Void>> consuming = new ArrayList<>();
    int lost = 0;
    for (int k = 0; k < HostShards.COUNT; k++) {
      boolean mine = self.equals(next.owner(k));
      if (mine && consumers[k] == null) {
        consuming.add(gain(k, given.containsKey(k) ? given.get(k) : before == null ? null : before.owner(k)));
      } else if (!mine && consumers[k] != null) {
        lose(k);
        lost++;
      }
    }
    updateStatus();
    if (LOG.isDebugEnabled()) {
      LOG.debug("{}: new owner table: gained {} shard(s) ({} waiting for their release), lost {}; owns {}",
          self, consuming.size(), pending.size(), lost, status.getInteger("shards"));
    }
    return Future.all(consuming).mapEmpty();
  }

  private Future<Void> gain(int k, String previous) {
    MessageConsumer<Object> c = vertx.eventBus().consumer(Addresses.fetchShard(k), onFetch);
    consumers[k] = c;
    if (previous != null && !previous.equals(self)
        && Membership.nodes(vertx).contains(FetcherRegistry.nodeOf(previous))) {
      awaited.put(k, previous);
      JsonObject ask = new JsonObject().put("release", k).put("to", self);
      Future<Message<JsonObject>> request = vertx.eventBus().request(Addresses.fetcher(previous), ask,
          new DeliveryOptions().setSendTimeout(handoverTimeoutMs));
      pending.put(k, request);
      request.onComplete(ar -> released(k, request, ar.succeeded() ? ar.result().body() : null, ar.cause()));
    }
    return c.completion();
  }

  private void released(int k, Future<?> request, JsonObject answer, Throwable failure) {
    if (answer != null && answer.getValue("hosts") instanceof JsonObject hosts) {
      // seeded even when the shard moved on meanwhile: this fetcher's own answer then passes them on
      fetcher.hosts().seed(hosts);
    }
    if (pending.get(k) != request) {
      return; // lost again meanwhile (see lose), or a later request is the one that counts
    }
    pending.remove(k);
    String awaitedBy = awaited.remove(k);
    if (answer != null) {
      LOG.debug("{}: shard {} released by {}", self, k, awaitedBy);
    } else if (failure instanceof ReplyException r && r.failureType() == ReplyFailure.TIMEOUT) {
      LOG.warn("shard {}: no release from its previous owner in {} ms; starting its fetches", k, handoverTimeoutMs);
    }
    updateStatus();
    fetcher.hosts().resume(k);
  }

  private void lose(int k) {
    MessageConsumer<?> c = consumers[k];
    consumers[k] = null;
    lingering.add(c);
    vertx.setTimer(LINGER_MS, id -> {
      if (lingering.remove(c)) {
        c.unregister();
      }
    });
    awaited.remove(k);
    Future<Message<JsonObject>> request = pending.remove(k);
    if (request != null && !request.isComplete()) {
      // the fetcher this one waited for may still run the shard's fetches: the next owner waits for them too
      releases.inherit(k, request, () -> freedShard(k));
    }
    fetcher.hosts().takeQueued(k).forEach(fetcher::handOver); // to the new owner
    freedShard(k);
  }

  private void freedShard(int k) {
    if (releases.owed(k) && !fetcher.hosts().busy(k)) {
      releases.answer(k, politeness(k), false);
    }
  }

  /**
   * {@code {release: k, to}} from the new owner of shard {@code k}: authoritative, even before this
   * fetcher's own table says so. Answered once none of the shard's fetches runs here, nor (as far as
   * this fetcher knows) at an owner before it.
   */
  void onRelease(Message<Object> msg, JsonObject body) {
    int k = body.getInteger("release", -1);
    String to = body.getString("to");
    if (k < 0 || k >= HostShards.COUNT || to == null) {
      msg.fail(400, "release: a shard number and to: a fetcher id are required");
      return;
    }
    if (!to.equals(self) && consumers[k] != null) {
      yielded.put(k, to);
      lose(k);
      updateStatus();
      refresh.run(); // this node's table is behind the asker's: read the live fetchers again
    }
    releases.add(k, msg);
    freedShard(k);
  }

  /** What the release of shard {@code k} tells its new owner: each host's spacing and pause left. */
  private JsonObject politeness(int k) {
    return new JsonObject().put("hosts", fetcher.hosts().politeness(k));
  }

  /** Completes once the releases this fetcher inherited (it lost shards while pending) came or timed out. */
  Future<Void> settled() {
    return releases.settled();
  }

  /** Stops consuming every shard and answers every release request waiting (the fetcher stopped). */
  Future<Void> close() {
    closed = true;
    List<Future<Void>> gone = new ArrayList<>();
    for (int k = 0; k < HostShards.COUNT; k++) {
      if (consumers[k] != null) {
        gone.add(consumers[k].unregister());
        consumers[k] = null;
      }
    }
    lingering.forEach(c -> gone.add(c.unregister()));
    lingering.clear();
    releases.shards().forEach(k -> releases.answer(k, politeness(k), true));
    return Future.join(gone).mapEmpty();
  }

  private void updateStatus() {
    int owned = 0;
    for (MessageConsumer<?> c : consumers) {
      owned += c == null ? 0 : 1;
    }
    status = new JsonObject().put("id", self).put("shards", owned).put("pending", pending.size());
  }
}
