package dev.fanout.fetch;

import dev.fanout.bus.Addresses;
import dev.fanout.bus.Capture;
import dev.fanout.bus.ErrorKind;
import dev.fanout.bus.FetchResult;
import dev.fanout.bus.FetchSpec;
import dev.fanout.bus.HostShards;
import dev.fanout.bus.InvalidRequest;
import dev.fanout.bus.LocalJsonCodec;
import dev.fanout.config.FanoutConfig;
import dev.fanout.config.FetchConfig;
import dev.fanout.net.UrlTarget;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One fetcher of the pool. Instance {@code index} of {@code count} owns the shards {@code k} with
 * {@code k mod count == index} and consumes their addresses, so every host has exactly one owner
 * and its limits are exact without locks. Every instance also consumes {@link Addresses#FETCH} and
 * routes each request to the owner of its host (handling it at once when that is itself).
 */
public final class FetcherVerticle extends VerticleBase {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FetcherVerticle.class);
  /** The internal field carrying a redirect that continues on another shard. */
  static final String HOP = "_hop";
  private static final long SWEEP_MS = 10_000;
  private static final long BUS_MARGIN_MS = 10_000;

  private final FanoutConfig all;
  private final GlobalLimits limits;
  private final int index;
  private final int count;
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  private FetchConfig cfg;
  private HttpClientAgent client;
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
    cfg = all.fetch();
    client = vertx.httpClientBuilder().with(clientOptions(cfg)).build();
    VertxInternal vi = (VertxInternal) vertx;
    fetcher = new Fetcher(vertx, context, cfg, new Connections(client, cfg.keepAliveTimeoutMs(), cfg.concurrency()), new EgressPolicy(all.egress()), limits,
        host -> vi.nameResolver().resolve(host), this::owns, this::handoff);
    List<Future<Void>> ready = new ArrayList<>();
    for (int shard = index; shard < HostShards.COUNT; shard += count) {
      ready.add(consume(Addresses.fetchShard(shard), this::onShard));
    }
    ready.add(consume(Addresses.FETCH, this::onRoute));
    ready.add(consume(Addresses.FETCH_CANCEL, msg -> {
      String group = ((Message<?>) msg).body() instanceof JsonObject b && b.getValue("group") instanceof String g ? g : null;
      if (group != null) {
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
    return Future.join(gone).eventually(() -> client.close());
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

  private Future<Void> consume(String address, io.vertx.core.Handler<Message<JsonObject>> handler) {
    MessageConsumer<JsonObject> c = vertx.eventBus().consumer(address, handler);
    consumers.add(c);
    return c.completion();
  }

  private boolean owns(String hostKey) {
    return HostShards.shardOf(hostKey) % count == index;
  }

  private void onRoute(Message<JsonObject> msg) {
    FetchSpec spec = parse(msg, Set.of());
    if (spec == null) {
      return;
    }
    UrlTarget target;
    try {
      target = UrlTarget.parse(spec.url());
    } catch (UrlTarget.Invalid e) {
      msg.reply(FetchResult.failed(spec.url(), ErrorKind.INVALID_URL, e.getMessage(), 1, 0).toJson());
      return;
    }
    if (owns(target.hostKey())) {
      accept(msg, spec, target, null);
    } else {
      forward(msg, spec, target);
    }
  }

  private void forward(Message<JsonObject> msg, FetchSpec spec, UrlTarget target) {
    long wait = (spec.deadlineMs() != null ? spec.deadlineMs() : cfg.deadlineMs()) + BUS_MARGIN_MS;
    vertx.eventBus().<JsonObject>request(HostShards.addressOf(target.hostKey()), msg.body(),
            new DeliveryOptions().setSendTimeout(wait))
        .onSuccess(reply -> msg.reply(reply.body()))
        .onFailure(e -> msg.reply(FetchResult.failed(spec.url(), ErrorKind.OVERLOADED,
            "no fetcher answered for " + target.hostKey() + ": " + e.getMessage(), 1, 0).toJson()));
  }

  private void onShard(Message<JsonObject> msg) {
    FetchSpec spec = parse(msg, Set.of(HOP));
    if (spec == null) {
      return;
    }
    UrlTarget target;
    try {
      target = UrlTarget.parse(spec.url());
    } catch (UrlTarget.Invalid e) {
      msg.reply(FetchResult.failed(spec.url(), ErrorKind.INVALID_URL, e.getMessage(), 1, 0).toJson());
      return;
    }
    if (!owns(target.hostKey())) {
      forward(msg, spec, target); // a sender that computed the shard differently: still exact
      return;
    }
    accept(msg, spec, target, msg.body().getJsonObject(HOP));
  }

  private FetchSpec parse(Message<JsonObject> msg, Set<String> extra) {
    // A bus client may send anything: read the body untyped before treating it as an object.
    if (!(((Message<?>) msg).body() instanceof JsonObject body)) {
      msg.fail(400, "body: must be a fetch spec (a JSON object)");
      return null;
    }
    try {
      return FetchSpec.fromJson(body, extra);
    } catch (InvalidRequest e) {
      msg.fail(400, e.getMessage());
      return null;
    }
  }

  private void accept(Message<JsonObject> msg, FetchSpec spec, UrlTarget target, JsonObject hop) {
    long now = System.nanoTime();
    String url = hop == null ? spec.url() : hop.getString("url");
    if (hop != null) {
      limits.requeue(); // a redirect of a fetch accepted elsewhere: never refused later
    } else if (!limits.tryQueue()) {
      msg.reply(FetchResult.failed(url, ErrorKind.OVERLOADED,
          "more than fetch.maxQueued fetches are waiting", 1, 0).toJson());
      return;
    }
    long elapsedMs = hop == null ? 0 : hop.getLong("elapsedMs", 0L);
    long deadlineMs = hop != null ? hop.getLong("deadlineLeftMs", 1L)
        : spec.deadlineMs() != null ? spec.deadlineMs() : cfg.deadlineMs();
    FetchTask task = new FetchTask(url, target, Fetcher.method(spec.method()), spec.headers(), spec.body(),
        spec.timeoutMs() != null ? spec.timeoutMs() : cfg.timeoutMs(),
        now - elapsedMs * 1_000_000, now + deadlineMs * 1_000_000,
        spec.retries() != null ? spec.retries() : cfg.retries(),
        spec.maxBytes() != null ? spec.maxBytes() : cfg.maxBytes(),
        spec.followRedirects() != null ? spec.followRedirects() : cfg.followRedirects(),
        spec.capture() != null ? spec.capture() : Capture.parse("fetch.capture", cfg.capture()),
        spec.group(),
        hop == null ? 1 : hop.getInteger("attempts", 1),
        hop == null ? 0 : hop.getInteger("redirects", 0));
    task.result.future().onSuccess(r -> reply(msg, r));
    fetcher.submit(task);
  }

  /**
   * Replies with {@code r}. Encoding it can fail (it copies the captured body, for one); the
   * caller then still gets a reply, without the body, and the fetcher's bookkeeping goes on.
   */
  private static void reply(Message<JsonObject> msg, FetchResult r) {
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

  /** Sends a redirected task to the owner of its new host, as a spec plus the hop state. */
  private Future<FetchResult> handoff(FetchTask task) {
    long now = System.nanoTime();
    long left = task.remainingMs(now);
    JsonObject spec = new FetchSpec(task.target.normalised(), task.method.name(), task.headers, task.body,
        task.timeoutMs, null, task.retries, task.maxBytes, task.followRedirects, task.capture, task.group).toJson();
    spec.put(HOP, new JsonObject()
        .put("url", task.url)
        .put("attempts", task.attempts)
        .put("redirects", task.redirects)
        .put("elapsedMs", task.elapsedMs(now))
        .put("deadlineLeftMs", Math.max(1, left)));
    return vertx.eventBus().<JsonObject>request(HostShards.addressOf(task.target.hostKey()), spec,
            new DeliveryOptions().setSendTimeout(left + BUS_MARGIN_MS))
        .map(reply -> FetchResult.fromJson(reply.body()));
  }
}
