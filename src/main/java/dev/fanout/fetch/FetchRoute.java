package dev.fanout.fetch;

import dev.fanout.bus.Addresses;
import dev.fanout.bus.HostShards;
import dev.fanout.cluster.Membership;
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
   * fetchers; else the shard's address (any node's owner consumes it).
   */
  public static String address(Vertx vertx, String hostKey) {
    FetcherRegistry registry = FetcherRegistry.of(vertx);
    OwnerTable table = registry.hasLocal() ? registry.table() : null;
    if (table == null) {
      return HostShards.addressOf(hostKey);
    }
    String owner = table.owner(HostShards.shardOf(hostKey));
    // an owner on a node that left (the table is about to change): a fetcher of this node passes it on
    return Membership.live(vertx, FetcherRegistry.nodeOf(owner)) ? Addresses.fetcher(owner) : registry.anyLocal();
  }
}
