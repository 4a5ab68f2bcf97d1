package dev.fanout.queue;

import dev.fanout.bus.Addresses;
import dev.fanout.cluster.Membership;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The job kinds every live node serves: what enqueue's {@code unhandled} and the queues listing
 * report. Each node's jobs verticle answers for its own registry at {@code fanout.jobs.kinds.<node>}
 * ({@link Addresses#jobsKinds}). Asking costs a bus round trip and enqueue is hot, so the other
 * nodes' kinds are kept for up to {@link #FRESH_MS}, and forgotten at once when a node says its
 * registry changed ({@link #CHANGED}) or the live nodes are not those last asked. A kind the kept
 * view does not show served is asked about again before it is called unhandled (a handler that
 * registered a moment ago on another node is seen); askings overlap into one in flight and one
 * queued behind it. A node that does not answer within {@link #NODE_TIMEOUT_MS} is named in
 * {@link View#unreachable()}, its kinds as last heard still counted; a node with no jobs verticle
 * (a plain Vert.x member, or one still starting) serves no kinds. Not clustered, the view is this
 * node's registry, read at once: nothing is asked. Used on the jobs verticle's event loop only.
 */
final class ClusterKinds {
  /** How long a node may take to answer for its kinds: a live one answers in milliseconds. */
  static final long NODE_TIMEOUT_MS = 500;
  /** How long the other nodes' kinds are kept without news from them. */
  static final long FRESH_MS = 2_000;
  /** Published cluster-wide with the node's id after a node's registry changed. */
  static final String CHANGED = "fanout.jobs.kinds.changed";

  /**
   * The kinds each node serves ({@link JobHandlers#kinds} entries, by node id, sorted) and the
   * nodes that did not answer in time.
   */
  record View(Map<String, Map<String, JsonObject>> byNode, List<String> unreachable) {
    /** Whether some node serves {@code kind}. */
    boolean serves(String kind) {
      return byNode.values().stream().anyMatch(kinds -> kinds.containsKey(kind));
    }

    /** Every kind some node serves. */
    Set<String> kinds() {
      Set<String> all = new TreeSet<>();
      byNode.values().forEach(kinds -> all.addAll(kinds.keySet()));
      return all;
    }

    /** {@code [{node, concurrency, registrations}]}: one entry per node serving {@code kind}. */
    JsonArray handlers(String kind) {
      JsonArray handlers = new JsonArray();
      byNode.forEach((node, kinds) -> {
        JsonObject k = kinds.get(kind);
        if (k != null) {
          handlers.add(new JsonObject().put("node", node).put("concurrency", k.getInteger("concurrency"))
              .put("registrations", k.getInteger("registrations")));
        }
      });
      return handlers;
    }
  }

  private final Vertx vertx;
  private final String self;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private Map<String, Map<String, JsonObject>> others = Map.of();
  private List<String> unreachable = List.of();
  private Set<String> asked = Set.of();
  private long askedAt;
  /** Bumped by every change notice: an asking that began before one is not fresh. */
  private long changes;
  private Future<Void> asking;
  private Promise<Void> queued;

  ClusterKinds(Vertx vertx) {
    this.vertx = vertx;
    this.self = JobHandlers.node(vertx);
  }

  /** Answers for this node's kinds and listens to the other nodes' change notices. */
  Future<Void> start() {
    consumers.add(vertx.eventBus().consumer(Addresses.jobsKinds(self),
        msg -> msg.reply(new JsonObject().put("kinds", new JsonObject(new HashMap<>(JobHandlers.kinds(vertx)))))));
    consumers.add(vertx.eventBus().localConsumer(JobHandlers.CHANGED, msg -> {
      if (Membership.clustered(vertx)) {
        vertx.eventBus().publish(CHANGED, self);
      }
    }));
    consumers.add(vertx.eventBus().consumer(CHANGED, msg -> {
      if (!self.equals(msg.body())) {
        changes++;
        askedAt = 0;
      }
    }));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList()).mapEmpty();
  }

  Future<Void> stop() {
    return Future.join(consumers.stream().map(MessageConsumer::unregister).toList()).mapEmpty();
  }

  /**
   * A view that shows each of {@code wanted} served if some node serves it: the kept one when it
   * is fresh and does, else a fresh one. Never fails.
   */
  Future<View> covering(Collection<String> wanted) {
    Map<String, JsonObject> mine = JobHandlers.kinds(vertx);
    if (!Membership.clustered(vertx)) {
      return Future.succeededFuture(view(mine));
    }
    boolean current = current();
    boolean kept = wanted.stream().allMatch(k -> mine.containsKey(k) || current && servedElsewhere(k));
    return kept ? Future.succeededFuture(view(mine)) : asked(true);
  }

  /** A view from answers asked for now (this node's registry alone when not clustered). Never fails. */
  Future<View> now() {
    return asked(Membership.clustered(vertx));
  }

  private Future<View> asked(boolean ask) {
    return (ask ? refresh() : Future.<Void>succeededFuture()).map(v -> view(JobHandlers.kinds(vertx)));
  }

  private View view(Map<String, JsonObject> mine) {
    Map<String, Map<String, JsonObject>> byNode = new TreeMap<>(others);
    byNode.put(self, mine);
    return new View(byNode, unreachable);
  }

  /** Whether the kept answers are recent, with no change notice since, from the nodes live now. */
  private boolean current() {
    return askedAt > 0 && System.currentTimeMillis() - askedAt < FRESH_MS && asked.equals(Set.copyOf(nodes()));
  }

  private boolean servedElsewhere(String kind) {
    return others.values().stream().anyMatch(kinds -> kinds.containsKey(kind));
  }

  /** Asks the other nodes, in an asking that begins after this call: one in flight, one queued. */
  private Future<Void> refresh() {
    if (asking != null) {
      if (queued == null) {
        queued = Promise.promise();
      }
      return queued.future();
    }
    Promise<Void> done = Promise.promise();
    asking = done.future();
    ask().onComplete(ar -> {
      asking = null;
      done.complete();
      Promise<Void> next = queued;
      queued = null;
      if (next != null) {
        refresh().onComplete(next);
      }
    });
    return done.future();
  }

  /** Asks every other live node for its kinds and keeps the answers. Never fails. */
  private Future<Void> ask() {
    List<String> nodes = nodes();
    long started = System.currentTimeMillis();
    long changesBefore = changes;
    DeliveryOptions opts = new DeliveryOptions().setSendTimeout(NODE_TIMEOUT_MS);
    List<Future<Map<String, JsonObject>>> answers = new ArrayList<>();
    for (String node : nodes) {
      answers.add(vertx.eventBus().<JsonObject>request(Addresses.jobsKinds(node), null, opts)
          .map(reply -> kinds(reply.body()))
          .recover(e -> e instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS
              ? Future.succeededFuture(Map.of()) // no jobs verticle there: it serves nothing
              : Future.succeededFuture(null)));
    }
    return Future.join(answers).transform(ar -> {
      Map<String, Map<String, JsonObject>> heard = new TreeMap<>();
      List<String> unheard = new ArrayList<>();
      for (int i = 0; i < nodes.size(); i++) {
        Map<String, JsonObject> kinds = answers.get(i).result();
        if (kinds == null) {
          unheard.add(nodes.get(i));
          kinds = others.get(nodes.get(i)); // as last heard, if ever
        }
        if (kinds != null) {
          heard.put(nodes.get(i), kinds);
        }
      }
      others = heard;
      unreachable = List.copyOf(unheard);
      asked = Set.copyOf(nodes);
      askedAt = changes == changesBefore ? started : 0;
      return Future.succeededFuture();
    });
  }

  private static Map<String, JsonObject> kinds(JsonObject answer) {
    Map<String, JsonObject> kinds = new TreeMap<>();
    JsonObject all = answer == null ? null : answer.getJsonObject("kinds");
    if (all != null) {
      all.fieldNames().forEach(kind -> kinds.put(kind, all.getJsonObject(kind)));
    }
    return kinds;
  }

  /** The live nodes other than this one. */
  private List<String> nodes() {
    List<String> nodes = new ArrayList<>(Membership.nodes(vertx));
    nodes.remove(self);
    return nodes;
  }
}
