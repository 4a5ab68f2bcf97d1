package dev.fanout.fetch;

import dev.fanout.bus.Addresses;
import dev.fanout.bus.BusFailure;
import dev.fanout.bus.ErrorKind;
import dev.fanout.bus.FetchResult;
import dev.fanout.bus.FetchSpec;
import dev.fanout.bus.Handoff;
import dev.fanout.bus.InvalidRequest;
import dev.fanout.bus.LocalJsonCodec;
import dev.fanout.cluster.Membership;
import dev.fanout.config.FanoutConfig;
import dev.fanout.config.FetchConfig;
import dev.fanout.metrics.FetcherGauges;
import dev.fanout.metrics.Meters;
import io.netty.util.NetUtil;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.dns.DnsClient;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One fetcher of the pool. It owns the host shards its node's {@link OwnerTable} gives it (rendezvous
 * hashing over every live fetcher of the cluster, {@link FetcherRegistry}) and consumes their
 * addresses, so every host has exactly one owner in the cluster and its limits are exact without
 * locks; {@link Ownership} moves shards between fetchers without exceeding them. Every instance
 * also consumes {@link Addresses#FETCH} and its own address, {@code fanout.fetcher.<id>}. Whatever
 * the address, a message takes one path: it is read into a resolved {@link FetchSpec} (or a
 * {@link Handoff}) once — a spec sent by fanout's own parts arrives as that value already — then
 * handled here when this instance owns the host, else passed on, as the value, to the owner.
 */
public final class FetcherVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(FetcherVerticle.class);
  private static final long SWEEP_MS = 10_000;
  /** The safety net: the live fetchers are read again this often, whatever was announced. */
  private static final long REFRESH_MS = 30_000;
  private static final long LEAVE_TIMEOUT_MS = 5_000;

  private final FanoutConfig all;
  private final GlobalLimits limits;
  private final FetchPool.Batch batch;
  private final List<MessageConsumer<Object>> consumers = new ArrayList<>();
  private final List<Runnable> unwatch = new ArrayList<>();
  private FetchSpec.Options defaults;
  private HttpClientAgent client;
  private DnsClient dns;
  private Fetcher fetcher;
  private FetcherGauges meters;
  private FetcherRegistry registry;
  private Ownership ownership;
  private boolean stopping;
  private long sweepTimer;
  private long refreshTimer;

  /**
   * A fetcher of {@code batch} (the instances of one deployment, announced together), sharing
   * {@code limits} with the rest of the node's fetchers. The parsed configuration comes in here, not
   * as deployment JSON: Vert.x copies the deployment config into every connection context the HTTP
   * client makes, once per request.
   */
  FetcherVerticle(FanoutConfig config, GlobalLimits limits, FetchPool.Batch batch) {
    this.all = config;
    this.limits = limits;
    this.batch = batch;
  }

  @Override
  public Future<?> start() {
    LocalJsonCodec.register(vertx);
    FetchConfig cfg = all.fetch();
    defaults = cfg.defaults();
    client = vertx.httpClientBuilder().with(clientOptions(cfg)).build();
    dns = vertx.createDnsClient();
    registry = FetcherRegistry.of(vertx);
    ownership = new Ownership(vertx, context, registry.newId(), cfg.handoverTimeoutMs(), this::onFetch,
        () -> registry.refresh());
    meters = Meters.of(vertx).fetch().fetcher(ownership.id());
    fetcher = new Fetcher(vertx, context, cfg, new Connections(client, cfg.keepAliveTimeoutMs(), cfg.concurrency()),
        new EgressPolicy(all.egress()), limits, this::resolve, ownership, meters);
    ownership.attach(fetcher, meters);
    // its own address first: once announced, other fetchers send to it
    return consume(Addresses.fetcher(ownership.id()), this::onOwnAddress)
        .transform(ar -> batch.arrive(vertx, ar.succeeded() ? ownership : null))
        .compose(v -> Future.all(
            consume(Addresses.FETCH, this::onFetch),
            consume(Addresses.FETCHERS_CHANGED, msg -> registry.refresh()),
            consume(Addresses.FETCH_CANCEL, msg -> {
              if (msg.body() instanceof JsonObject b && b.getValue("group") instanceof String group) {
                fetcher.cancelGroup(group);
              }
            })))
        .onSuccess(v -> {
          LocalFetchers.of(vertx).add(ownership.id(), context, this::onLocal); // senders here skip the bus
          unwatch.add(Membership.onJoined(vertx, node -> registry.refresh()));
          unwatch.add(Membership.onLeft(vertx, node -> {
            ownership.passing().nodeLeft(node);
            registry.refresh();
          }));
          sweepTimer = vertx.setPeriodic(SWEEP_MS, id -> fetcher.sweep());
          refreshTimer = vertx.setPeriodic(REFRESH_MS, id -> registry.refresh());
        });
  }

  /**
   * Leaves the live fetchers. A fetcher added at run time (the admin class {@code fetcher}) hands
   * over: its shards go to the others with its queued fetches, and it lets its running ones end
   * and the releases it inherited come (for at most {@code fetch.handoverTimeoutMs}) before it
   * answers their release. The node's own pool stops with the node: it cancels what it runs and
   * queues at once, and other nodes' fetchers take its shards without waiting.
   */
  @Override
  public Future<?> stop() {
    stopping = true;
    LocalFetchers.of(vertx).remove(ownership.id());
    vertx.cancelTimer(sweepTimer);
    vertx.cancelTimer(refreshTimer);
    unwatch.forEach(Runnable::run);
    Future<Void> handedOver;
    if (batch.handOverOnStop()) {
      // no new fetches from fanout.fetch first: the others take them
      handedOver = Future.join(consumers.stream().filter(c -> Addresses.FETCH.equals(c.address()))
              .map(MessageConsumer::unregister).toList())
          .compose(v -> registry.leave(ownership)).timeout(LEAVE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
          .onFailure(e -> LOG.warn("fetcher {} could not leave the live fetchers: {}", ownership.id(), e.toString()))
          // its fetches, the ones it passed on, and the releases of shards it lost while pending: its
          // own answers of those shards wait for them, and once it is closed it answers at once
          .compose(v -> fetcher.idle().compose(idle -> ownership.passing().quiet())
              .compose(quiet -> ownership.settled())
              .timeout(all.fetch().handoverTimeoutMs(), TimeUnit.MILLISECONDS));
    } else {
      registry.forget(ownership);
      handedOver = Future.succeededFuture();
    }
    return handedOver
        .eventually(() -> {
          fetcher.abortAll(ErrorKind.CANCELLED, "the fetcher is stopping");
          return ownership.close();
        })
        .eventually(() -> Future.join(consumers.stream().map(MessageConsumer::unregister).toList()))
        .eventually(() -> dns.close())
        .eventually(() -> {
          meters.close();
          return Future.succeededFuture();
        })
        .eventually(() -> client.close());
  }

  /**
   * Options of the fetcher's client. Its connections are pooled by {@link Connections}, not by
   * Vert.x, so no pool options: every connection is opened with {@code connect}.
   */
  static HttpClientOptions clientOptions(FetchConfig cfg) {
    return new HttpClientOptions()
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, cfg.connectTimeoutMs()))
        .setSslHandshakeTimeout(cfg.connectTimeoutMs())
        .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS)
        .setKeepAlive(true)
        .setKeepAliveTimeout((int) Math.max(1, cfg.keepAliveTimeoutMs() / 1000))
        .setMaxHeaderSize(cfg.maxResponseHeaderBytes())
        .setDecompressionSupported(true)
        .setVerifyHost(true)
        .setTcpNoDelay(true)
        .setMetricsName("fetch"); // Vert.x's client meters: client_name="fetch", never the host
  }

  private Future<Void> consume(String address, Handler<Message<Object>> handler) {
    MessageConsumer<Object> c = vertx.eventBus().consumer(address, handler);
    consumers.add(c);
    return c.completion();
  }

  /** Its own address: fetches routed to it as their host's owner, and the release of a shard. */
  private void onOwnAddress(Message<Object> msg) {
    if (msg.body() instanceof JsonObject json && json.containsKey("release")) {
      ownership.onRelease(msg, json);
    } else {
      onFetch(msg);
    }
  }

  /**
   * The address of a DNS name, from Vert.x's asynchronous resolver (which reads /etc/hosts). A
   * name without an address fails like an unknown one.
   */
  private Future<InetAddress> resolve(String host) {
    return dns.lookup(host).compose(ip -> {
      InetAddress a = ip == null ? null : NetUtil.createInetAddressFromIpAddressString(ip);
      return a != null ? Future.succeededFuture(a) : Future.failedFuture(new UnknownHostException(host));
    });
  }

  /** The one path of a fetch message, whichever address it came to. */
  private void onFetch(Message<Object> msg) {
    Object fetch = read(msg);
    if (fetch != null) { // else failed with 400
      String hops = msg.headers().get(Passing.HOPS);
      accept(fetch, hops == null ? 1 : Integer.parseInt(hops) + 1, body -> reply(msg, body));
    }
  }

  /** A fetch handed over by a sender in this process ({@link LocalFetchers}): the same path, no message. */
  private void onLocal(FetchSpec spec, Handler<Object> reply) {
    accept(spec, 1, body -> reply.handle(body instanceof FetchResult r ? encoded(r, true) : body));
  }

  /** A fetch read: run here, passed on to its host's owner, or answered at once; the result goes to {@code reply}. */
  private void accept(Object fetch, int hop, Handler<Object> reply) {
    FetchSpec spec = fetch instanceof Handoff h ? h.next() : (FetchSpec) fetch;
    if (spec.target() == null) {
      reply.handle(FetchResult.failed(spec.url(), ErrorKind.INVALID_URL, spec.urlProblem(), 1, 0));
    } else if (!ownership.owns(spec.target().hostKey())) {
      forward(fetch, spec, hop, reply); // the router, or a sender whose view of the owner differs: still exact
    } else if (stopping && !batch.handOverOnStop()) {
      // the node stops; a fetcher removed at run time keeps serving its shards until they move
      reply.handle(FetchResult.failed(spec.url(), ErrorKind.CANCELLED, "the fetcher is stopping", 1, 0));
    } else if (fetch instanceof Handoff h) {
      limits.requeue(); // a redirect of a fetch accepted elsewhere: never refused later
      run(reply, new FetchTask(h, System.nanoTime()));
    } else if (limits.tryQueue()) {
      run(reply, new FetchTask(spec, System.nanoTime()));
    } else {
      reply.handle(FetchResult.failed(spec.url(), ErrorKind.OVERLOADED,
          "more than fetch.maxQueued fetches are waiting", 1, 0));
    }
  }

  /**
   * The message as a resolved {@link FetchSpec}, or a {@link Handoff} (only at a shard address):
   * fanout's own parts send the value itself; JSON from a bus client is parsed and resolved here.
   * Null after failing the message with 400 for a body that is not a valid spec.
   */
  private Object read(Message<Object> msg) {
    Object body = msg.body();
    if (body instanceof FetchSpec || body instanceof Handoff) {
      return body;
    }
    // A bus client may send anything: read the body untyped before treating it as an object.
    if (!(body instanceof JsonObject json)) {
      BusFailure.reply(msg, new InvalidRequest("body", "must be a fetch spec (a JSON object)"));
      return null;
    }
    try {
      boolean shard = !Addresses.FETCH.equals(msg.address());
      return shard && Handoff.is(json) ? Handoff.fromJson(json, defaults) : FetchSpec.fromJson(json, defaults);
    } catch (InvalidRequest e) {
      BusFailure.reply(msg, e);
      return null;
    }
  }

  /**
   * Passes a fetch, as the value it was read into, to the owner of its host (at the owner's own
   * address), and its reply back; the hop count goes with it (see {@link Passing}).
   */
  private void forward(Object fetch, FetchSpec spec, int hop, Handler<Object> reply) {
    String hostKey = spec.target().hostKey();
    long wait = fetch instanceof Handoff h ? h.deadlineLeftMs() : spec.options().timeouts().deadlineMs();
    ownership.passing().passOn(hostKey, fetch, wait, hop)
        .onSuccess(m -> reply.handle(((Message<?>) m).body())) // a result, or its JSON
        .onFailure(e -> reply.handle(FetchResult.failed(spec.url(), ErrorKind.OVERLOADED,
            "no fetcher answered for " + hostKey + ": " + e.getMessage(), 1, 0)));
  }

  private void run(Handler<Object> reply, FetchTask task) {
    task.result.future().onSuccess(reply::handle);
    fetcher.submit(task);
  }

  /** Replies to {@code msg} with {@code body}: a result, as the value to fanout's own senders and JSON to others. */
  private static void reply(Message<?> msg, Object body) {
    LocalJsonCodec.reply(msg, body instanceof FetchResult r ? encoded(r, LocalJsonCodec.accepts(msg)) : body);
  }

  /**
   * {@code r} as a reply: itself, or its JSON. Encoding it can fail (it copies the captured body, for
   * one); the caller then still gets a reply, without the body, and the fetcher's bookkeeping goes on.
   */
  private static Object encoded(FetchResult r, boolean asValue) {
    try {
      FetchFaults.at(FetchFaults.Point.ENCODE, r.url());
      return asValue ? r : r.toJson();
    } catch (RuntimeException e) {
      LOG.error("encoding the result of {} failed", r.url(), e);
      return FetchResult.failed(r.url(), ErrorKind.INTERNAL, "the result could not be encoded: " + e,
          r.attempts(), r.elapsedMs()).toJson();
    }
  }
}
