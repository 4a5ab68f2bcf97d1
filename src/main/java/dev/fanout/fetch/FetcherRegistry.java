package dev.fanout.fetch;

import dev.fanout.bus.Addresses;
import dev.fanout.cluster.Membership;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live fetchers and who owns which host shard, as this node sees it. The fetchers of every
 * node are kept in the async map {@value #MAP} (fetcher id → node id: a Hazelcast map when
 * clustered, a local one otherwise, through the same code); from its entries whose node is a live
 * member, each node computes the same {@link OwnerTable} and tells its own fetchers, in order, on
 * their contexts. A change is announced on {@link Addresses#FETCHERS_CHANGED}; a node also
 * recomputes on membership changes and periodically, and recomputations that overlap are merged.
 */
public final class FetcherRegistry implements Shareable {
  /** The async map of live fetchers. */
  public static final String MAP = "fanout.fetchers";
  private static final Logger LOG = LoggerFactory.getLogger(FetcherRegistry.class);
  private static final String STATE = "fanout.fetch.registry";

  /** A fetcher of this node, as the registry drives it. */
  interface Member {
    String id();

    Context context();

    /**
     * Takes the new table; {@code previous} is what this node knew before (for a fetcher that has
     * no table yet). Completes once the fetcher consumes the addresses of the shards it gained.
     */
    Future<Void> apply(OwnerTable previous, OwnerTable next);

    /** Its id, shards owned and pending, for the cluster status (any thread). */
    JsonObject status();
  }

  private final Vertx vertx;
  private final String node;
  private final AtomicLong ids = new AtomicLong();
  private final Map<String, Member> locals = new ConcurrentHashMap<>();
  private OwnerTable table;
  private long version;
  private boolean computing;
  private List<Promise<Void>> waiting = new ArrayList<>();

  private FetcherRegistry(Vertx vertx) {
    this.vertx = vertx;
    this.node = Membership.nodeId(vertx);
  }

  /** The registry of {@code vertx}'s node. */
  public static FetcherRegistry of(Vertx vertx) {
    LocalMap<String, FetcherRegistry> m = vertx.sharedData().getLocalMap(STATE);
    FetcherRegistry r = m.get("registry");
    if (r == null) {
      FetcherRegistry mine = new FetcherRegistry(vertx);
      r = m.putIfAbsent("registry", mine);
      r = r == null ? mine : r;
    }
    return r;
  }

  /** A new fetcher id of this node: {@code <node id>/<n>}. */
  String newId() {
    return node + "/" + ids.incrementAndGet();
  }

  /** The node a fetcher id belongs to. */
  static String nodeOf(String fetcherId) {
    return fetcherId.substring(0, Math.max(0, fetcherId.lastIndexOf('/')));
  }

  /** The table this node computed last, or null before its first. */
  synchronized OwnerTable table() {
    return table;
  }

  /** The address of one of this node's fetchers, or {@code fanout.fetch} when it has none now. */
  String anyLocal() {
    return locals.keySet().stream().findFirst().map(Addresses::fetcher).orElse(Addresses.FETCH);
  }

  /** Whether this node runs fetchers now. */
  boolean hasLocal() {
    return !locals.isEmpty();
  }

  /** This node's fetchers, by id: {@code [{id, shards, pending}]}. */
  public List<JsonObject> status() {
    return locals.values().stream().map(Member::status)
        .sorted(Comparator.comparing((JsonObject s) -> s.getString("id"))).toList();
  }

  /**
   * Announces {@code members} (their addresses are consumed already) at once: one view change for
   * a whole deployment. Completes once every fetcher of this node took the new table.
   */
  Future<Void> join(List<Member> members) {
    members.forEach(m -> locals.put(m.id(), m));
    return map().compose(m -> Future.all(members.stream().map(x -> m.put(x.id(), node)).toList()))
        .compose(v -> refresh())
        .onSuccess(v -> vertx.eventBus().publish(Addresses.FETCHERS_CHANGED, node));
  }

  /** Removes {@code member}: completes once it (and this node's others) took the table without it. */
  Future<Void> leave(Member member) {
    return map().compose(m -> m.remove(member.id()))
        .compose(v -> refresh())
        .onComplete(ar -> {
          locals.remove(member.id());
          vertx.eventBus().publish(Addresses.FETCHERS_CHANGED, node);
        }).mapEmpty();
  }

  /**
   * Removes {@code member} at once, without waiting for the others to take over: a node that stops
   * (its fetchers cancel what they run); the map entry goes in the background.
   */
  void forget(Member member) {
    locals.remove(member.id());
    map().compose(m -> m.remove(member.id())).onComplete(ar -> {
      if (Membership.clustered(vertx)) {
        // news for the other nodes only: alone, nobody is left to tell (this node's other fetchers
        // are stopping too, and Vert.x warns of a message reaching a consumer as it unregisters)
        vertx.eventBus().publish(Addresses.FETCHERS_CHANGED, node);
      }
    });
  }

  /** Recomputes the table; completes once a computation that started after this call was applied. */
  synchronized Future<Void> refresh() {
    Promise<Void> p = Promise.promise();
    waiting.add(p);
    if (!computing) {
      computing = true;
      run();
    }
    return p.future();
  }

  private synchronized void run() {
    List<Promise<Void>> these = waiting;
    waiting = new ArrayList<>();
    map().compose(AsyncMap::entries).compose(this::recompute).onComplete(ar -> {
      if (ar.failed()) {
        LOG.warn("reading the live fetchers failed: {}", ar.cause().toString());
      }
      these.forEach(p -> p.handle(ar));
      synchronized (this) {
        if (waiting.isEmpty()) {
          computing = false;
        } else {
          run();
        }
      }
    });
  }

  private synchronized Future<Void> recompute(Map<String, String> entries) {
    Set<String> nodes = Set.copyOf(Membership.nodes(vertx));
    List<String> live = new ArrayList<>();
    entries.forEach((id, owner) -> {
      if (nodes.contains(owner)) {
        live.add(id);
      } else {
        map().onSuccess(m -> m.remove(id)); // a node that left: its fetchers are gone with it
      }
    });
    OwnerTable before = table;
    if (before != null && before.ids().equals(live.stream().sorted().distinct().toList())) {
      return deliver(before, before); // nothing moved; a fetcher that missed it still gets it
    }
    OwnerTable next = OwnerTable.of(++version, live);
    // a node that computes its first table: before it, the others' fetchers owned everything
    OwnerTable previous = before != null ? before
        : OwnerTable.of(0, live.stream().filter(id -> !locals.containsKey(id)).toList());
    table = next;
    return deliver(previous, next);
  }

  private Future<Void> deliver(OwnerTable previous, OwnerTable next) {
    List<Future<Void>> applied = new ArrayList<>();
    for (Member m : locals.values()) {
      Promise<Void> p = Promise.promise();
      m.context().runOnContext(v -> m.apply(previous, next).onComplete(p));
      applied.add(p.future());
    }
    return Future.join(applied).mapEmpty();
  }

  private Future<AsyncMap<String, String>> map() {
    return vertx.sharedData().getAsyncMap(MAP);
  }
}
