package dev.fanout.cluster;

import dev.fanout.bus.Addresses;
import dev.fanout.config.FanoutConfig;
import dev.fanout.fetch.FetchPool;
import dev.fanout.fetch.GlobalLimits;
import dev.fanout.queue.JobHandlers;
import dev.fanout.queue.QueueWorkerVerticle;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code fanout.cluster.status}: what every live node runs. Each node answers for itself at
 * {@code fanout.cluster.node.<id>} (its job kinds, its fetchers' shards, its fetches in flight
 * and its running jobs); a status request asks every node {@link Membership#nodes} lists and
 * marks one that does not answer within {@link #NODE_TIMEOUT_MS} unreachable rather than failing.
 * Not clustered, the list is this node alone.
 */
public final class ClusterStatusVerticle extends VerticleBase {
  /** How long a node may take to answer for itself: a live node answers in milliseconds. */
  static final long NODE_TIMEOUT_MS = 2_000;
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private String self;
  private String host;

  @Override
  public Future<?> start() {
    FanoutConfig cfg = FanoutConfig.fromJson(config());
    self = Membership.nodeId(vertx);
    host = Membership.clustered(vertx) ? cfg.cluster().host() : cfg.http().host();
    return Future.all(
        vertx.eventBus().consumer(Addresses.CLUSTER_STATUS, this::onStatus).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.clusterNode(self), msg -> node().onSuccess(msg::reply))
            .completion());
  }

  private void onStatus(Message<Object> msg) {
    List<Future<JsonObject>> answers = new ArrayList<>();
    for (String id : Membership.nodes(vertx)) {
      answers.add(ask(id));
    }
    Future.join(answers).onComplete(ar -> {
      JsonArray nodes = new JsonArray();
      answers.forEach(a -> nodes.add(a.result()));
      msg.reply(new JsonObject().put("clustered", Membership.clustered(vertx)).put("self", self).put("nodes", nodes));
    });
  }

  /** One node's status, or {@code {id, reachable: false}} when it does not answer in time. */
  private Future<JsonObject> ask(String id) {
    DeliveryOptions opts = new DeliveryOptions().setSendTimeout(NODE_TIMEOUT_MS);
    return vertx.eventBus().<JsonObject>request(Addresses.clusterNode(id), new JsonObject(), opts)
        .map(reply -> reply.body().copy().put("reachable", true))
        .recover(e -> Future.succeededFuture(new JsonObject().put("id", id).put("reachable", false)
            .put("error", e.getMessage())))
        .map(node -> node.put("self", id.equals(self)));
  }

  /** This node's own entry. */
  private Future<JsonObject> node() {
    Future<Integer> running = vertx.eventBus().<Integer>request(QueueWorkerVerticle.RUNNING, null, LOCAL)
        .map(Message::body)
        .otherwise(0); // no worker (stopping): it holds no jobs
    return running.map(jobs -> new JsonObject()
        .put("id", self)
        .put("host", host)
        .put("kinds", kinds())
        .put("fetchers", fetchers())
        .put("fetches", fetches())
        .put("jobs", new JsonObject().put("running", jobs)));
  }

  private JsonObject kinds() {
    JsonObject kinds = new JsonObject();
    for (Map.Entry<String, JsonObject> e : JobHandlers.kinds(vertx).entrySet()) {
      kinds.put(e.getKey(), e.getValue().copy());
    }
    return kinds;
  }

  /** Each fetcher of this node: its id, the host shards it owns, and how many of those are pending. */
  private JsonArray fetchers() {
    return new JsonArray(List.copyOf(FetchPool.fetchers(vertx)));
  }

  private JsonObject fetches() {
    GlobalLimits limits = FetchPool.limits(vertx);
    return new JsonObject().put("inFlight", limits == null ? 0 : limits.inFlight())
        .put("queued", limits == null ? 0 : limits.queued()).put("completed", limits == null ? 0 : limits.completed());
  }
}
