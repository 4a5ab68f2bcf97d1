package dev.fanout.fetch;

import dev.fanout.bus.Addresses;
import dev.fanout.bus.FetchSpec;
import dev.fanout.bus.HostShards;
import dev.fanout.cluster.Membership;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;

/**
 * Where fanout's own senders send a fetch. A node that runs fetchers routes by its own owner
 * table: to the owner's private address when it knows the host, else to a fetcher of its own
 * ({@code fanout.fetch}, local only), which passes it on. Either way a fetch never goes to a
 * subscription of a node that has left (the clustered bus forgets those a moment after the
 * cluster reports the node gone, and a message sent there is lost until its send timeout); the
 * owner table drops a left node's fetchers as soon as the report comes. A node without fetchers
 * sends to {@code fanout.fetch} anywhere in the cluster.
 */
public final class FetchRoute {
  private FetchRoute() {}

  /** Whether {@code vertx} runs fetchers of its own (so {@code fanout.fetch} is best sent locally). */
  public static boolean local(Vertx vertx) {
    return FetcherRegistry.of(vertx).hasLocal();
  }

  /** {@code options} sent to {@code fanout.fetch} on this node when it runs fetchers; returned for chaining. */
  public static DeliveryOptions toRouter(Vertx vertx, DeliveryOptions options) {
    return options.setLocalOnly(local(vertx));
  }

  /**
   * The address of the fetcher that owns {@code hostKey} by this node's table, when this node runs
   * fetchers; else the shard's address (any node's owner consumes it). Asked once per fetch: the
   * owners' addresses and nodes are worked out once per table, not per fetch.
   */
  public static String address(Vertx vertx, String hostKey) {
    FetcherRegistry registry = node(vertx).registry;
    OwnerTable table = registry.hasLocal() ? registry.table() : null;
    if (table == null) {
      return HostShards.addressOf(hostKey);
    }
    int k = HostShards.shardOf(hostKey);
    Routes r = routes(table);
    if (r.addresses[k] == null) {
      return HostShards.addressOf(hostKey); // no fetcher in the table
    }
    // an owner on a node that left (the table is about to change): a fetcher of this node passes it on;
    // not clustered, every owner is a fetcher of this node
    return !Membership.clustered(vertx) || Membership.live(vertx, r.nodes[k]) ? r.addresses[k] : registry.anyLocal();
  }

  /**
   * Hands {@code spec} straight to the fetcher that owns its host when that fetcher runs in this
   * process ({@link LocalFetchers}): its result (a {@code FetchResult}, or JSON) comes to
   * {@code onResult} on {@code replyTo}. False, and nothing sent, otherwise: send it to
   * {@link #address} over the bus.
   */
  public static boolean sendLocal(Vertx vertx, FetchSpec spec, Context replyTo, Handler<Object> onResult) {
    Node n = node(vertx);
    OwnerTable table = spec.target() != null && n.registry.hasLocal() ? n.registry.table() : null;
    if (table == null) {
      return false;
    }
    String owner = routes(table).owners[HostShards.shardOf(spec.target().hostKey())];
    return owner != null && n.fetchers.send(owner, spec, replyTo, onResult);
  }

  /** This node's registry and fetchers, looked up once per Vert.x instance rather than per fetch. */
  private record Node(Vertx vertx, FetcherRegistry registry, LocalFetchers fetchers) {}

  private static volatile Node lastNode;

  private static Node node(Vertx vertx) {
    Node n = lastNode;
    if (n == null || n.vertx != vertx) {
      n = new Node(vertx, FetcherRegistry.of(vertx), LocalFetchers.of(vertx));
      lastNode = n;
    }
    return n;
  }

  /** The owner id, its address and its node for each shard of one table. */
  private record Routes(OwnerTable table, String[] owners, String[] addresses, String[] nodes) {}

  /** The routes of the table asked for last (tables change rarely; a node has one at a time). */
  private static volatile Routes last;

  private static Routes routes(OwnerTable table) {
    Routes r = last;
    if (r != null && r.table == table) {
      return r;
    }
    String[] owners = new String[HostShards.COUNT];
    String[] addresses = new String[HostShards.COUNT];
    String[] nodes = new String[HostShards.COUNT];
    for (int k = 0; k < HostShards.COUNT; k++) {
      String owner = table.owner(k);
      owners[k] = owner;
      if (owner != null) {
        addresses[k] = Addresses.fetcher(owner);
        nodes[k] = FetcherRegistry.nodeOf(owner);
      }
    }
    r = new Routes(table, owners, addresses, nodes);
    last = r;
    return r;
  }
}
