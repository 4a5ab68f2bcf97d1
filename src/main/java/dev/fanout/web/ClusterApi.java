package dev.fanout.web;

import dev.fanout.bus.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /v1/cluster}: HTTP onto {@code fanout.cluster.status}, asked on this node (every node
 * gathers the whole cluster's answer; asking here keeps {@code self} this node).
 */
final class ClusterApi {
  /** Longer than a status gathering with a node that does not answer (two seconds). */
  private static final long TIMEOUT_MS = 10_000;
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true).setSendTimeout(TIMEOUT_MS);

  private final Vertx vertx;

  ClusterApi(Vertx vertx) {
    this.vertx = vertx;
  }

  void status(RoutingContext ctx) {
    BusCall.reply(ctx, BusCall.ask(vertx, ctx, Addresses.CLUSTER_STATUS, new JsonObject(), LOCAL));
  }
}
