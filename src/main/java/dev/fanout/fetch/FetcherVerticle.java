package dev.fanout.fetch;

import dev.fanout.bus.Addresses;
import dev.fanout.bus.BusFailure;
import dev.fanout.bus.ErrorKind;
import dev.fanout.bus.FetchResult;
import dev.fanout.bus.FetchSpec;
import dev.fanout.bus.Handoff;
import dev.fanout.bus.HostShards;
import dev.fanout.bus.InvalidRequest;
import dev.fanout.bus.LocalJsonCodec;
import dev.fanout.config.FanoutConfig;
import dev.fanout.config.FetchConfig;
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
 * One fetcher of the pool. Instance {@code index} of {@code count} owns the shards {@code k} with
 * {@code k mod count == index} and consumes their addresses, so every host has exactly one owner
 * and its limits are exact without locks. Every instance also consumes {@link Addresses#FETCH}.
 * Whatever the address, a message takes one path: it is read into a resolved {@link FetchSpec}
 * (or a {@link Handoff}) once — a spec sent by fanout's own parts arrives as that value already —
 * then handled here when this instance owns the host, else passed on, as the value, to the owner.
 */
public final class FetcherVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(FetcherVerticle.class);
  private static final long SWEEP_MS = 10_000;
  private static final long BUS_MARGIN_MS = 10_000;

  private final FanoutConfig all;
  private final GlobalLimits limits;
  private final int index;
  private final int count;
  private final List<MessageConsumer<Object>> consumers = new ArrayList<>();
  private FetchSpec.Options defaults;
  private HttpClientAgent client;
  private DnsClient dns;
  private Fetcher fetcher;
  private long sweepTimer;

  /**
   * Instance {@code index} of {@code count}, sharing {@code limits} with the rest of the pool.
   * The parsed configuration comes in here, not as deployment JSON: Vert.x copies the deployment
   * config into every connection context the HTTP client makes, once per request.
   */
  public FetcherVerticle(FanoutConfig config, GlobalLimits limits, int index, int count) {
    this.all = config;
    this.limits = limits;
    this.index = index;
    this.count = count;
  }

  @Override
  public Future<?> start() {
    LocalJsonCodec.register(vertx);
    FetchConfig cfg = all.fetch();
    defaults = cfg.defaults();
    client = vertx.httpClientBuilder().with(clientOptions(cfg)).build();
    dns = vertx.createDnsClient();
    fetcher = new Fetcher(vertx, context, cfg, new Connections(client, cfg.keepAliveTimeoutMs(), cfg.concurrency()),
        new EgressPolicy(all.egress()), limits, this::resolve, this::owns, this::handOff);
    List<Future<Void>> ready = new ArrayList<>();
    for (int shard = index; shard < HostShards.COUNT; shard += count) {
      ready.add(consume(Addresses.fetchShard(shard), this::onFetch));
    }
    ready.add(consume(Addresses.FETCH, this::onFetch));
    ready.add(consume(Addresses.FETCH_CANCEL, msg -> {
      if (msg.body() instanceof JsonObject b && b.getValue("group") instanceof String group) {
        fetcher.cancelGroup(group);
      }
    }));
    sweepTimer = vertx.setPeriodic(SWEEP_MS, id -> fetcher.sweep());
    return Future.all(ready);
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(sweepTimer);
    List<Future<Void>> gone = new ArrayList<>();
    consumers.forEach(c -> gone.add(c.unregister()));
    fetcher.abortAll(ErrorKind.CANCELLED, "the fetcher is stopping");
    return Future.join(gone).eventually(() -> dns.close()).eventually(() -> client.close());
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
        .setTcpNoDelay(true);
  }

  private Future<Void> consume(String address, Handler<Message<Object>> handler) {
    MessageConsumer<Object> c = vertx.eventBus().consumer(address, handler);
    consumers.add(c);
    return c.completion();
  }

  private boolean owns(String hostKey) {
    return HostShards.shardOf(hostKey) % count == index;
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
    if (fetch == null) {
      return; // failed with 400
    }
    FetchSpec spec = fetch instanceof Handoff h ? h.next() : (FetchSpec) fetch;
    if (spec.target() == null) {
      msg.reply(FetchResult.failed(spec.url(), ErrorKind.INVALID_URL, spec.urlProblem(), 1, 0).toJson());
    } else if (!owns(spec.target().hostKey())) {
      forward(msg, fetch, spec); // the router, or a sender that computed the shard differently: still exact
    } else if (fetch instanceof Handoff h) {
      limits.requeue(); // a redirect of a fetch accepted elsewhere: never refused later
      run(msg, new FetchTask(h, System.nanoTime()));
    } else if (limits.tryQueue()) {
      run(msg, new FetchTask(spec, System.nanoTime()));
    } else {
      msg.reply(FetchResult.failed(spec.url(), ErrorKind.OVERLOADED,
          "more than fetch.maxQueued fetches are waiting", 1, 0).toJson());
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

  /** Passes a fetch, as the value it was read into, to the owner of its host, and its reply back. */
  private void forward(Message<Object> msg, Object fetch, FetchSpec spec) {
    String hostKey = spec.target().hostKey();
    long wait = (fetch instanceof Handoff h ? h.deadlineLeftMs() : spec.options().timeouts().deadlineMs())
        + BUS_MARGIN_MS;
    vertx.eventBus().<JsonObject>request(HostShards.addressOf(hostKey), fetch, LocalJsonCodec.options(wait))
        .onSuccess(reply -> LocalJsonCodec.reply(msg, reply.body()))
        .onFailure(e -> msg.reply(FetchResult.failed(spec.url(), ErrorKind.OVERLOADED,
            "no fetcher answered for " + hostKey + ": " + e.getMessage(), 1, 0).toJson()));
  }

  private void run(Message<Object> msg, FetchTask task) {
    task.result.future().onSuccess(r -> reply(msg, r));
    fetcher.submit(task);
  }

  /**
   * Replies with {@code r}. Encoding it can fail (it copies the captured body, for one); the
   * caller then still gets a reply, without the body, and the fetcher's bookkeeping goes on.
   */
  private static void reply(Message<?> msg, FetchResult r) {
    JsonObject json;
    try {
      FetchFaults.at(FetchFaults.Point.ENCODE, r.url());
      json = r.toJson();
    } catch (RuntimeException e) {
      LOG.error("encoding the result of {} failed", r.url(), e);
      json = FetchResult.failed(r.url(), ErrorKind.INTERNAL, "the result could not be encoded: " + e,
          r.attempts(), r.elapsedMs()).toJson();
    }
    LocalJsonCodec.reply(msg, json);
  }

  /** Sends a redirected fetch to the owner of its new host; completes with the result the owner replies. */
  private Future<FetchResult> handOff(Handoff h) {
    return vertx.eventBus().<JsonObject>request(HostShards.addressOf(h.next().target().hostKey()), h,
            LocalJsonCodec.options(h.deadlineLeftMs() + BUS_MARGIN_MS))
        .map(reply -> FetchResult.fromJson(reply.body()));
  }
}
