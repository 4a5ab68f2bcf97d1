package dev.fanout.api;

import dev.fanout.bus.Addresses;
import dev.fanout.bus.FetchSpec;
import dev.fanout.bus.GatherRequest;
import dev.fanout.bus.InvalidRequest;
import dev.fanout.config.FanoutConfig;
import dev.fanout.config.RunningConfig;
import dev.fanout.fetch.FetchRoute;
import dev.fanout.gather.GatherVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

/**
 * {@link FetchClient} over {@code fanout.fetch} and {@code fanout.gather}. Each request's send
 * timeout is derived from what it asks, so the bus never cuts a fetch or a gather the service is
 * still running: a fetch waits its deadline (the spec's {@code deadlineMs}, else the service's
 * {@code fetch.deadlineMs}) plus a margin; a gather waits as many such deadlines as it has rounds
 * at its concurrency. The limits and defaults are those of the service in this Vert.x
 * ({@link RunningConfig}), else the bundled ones.
 */
final class BusFetchClient implements FetchClient {
  /** What a reply may take beyond the deadline: the hops, the result's encoding, a busy loop. */
  static final long MARGIN_MS = 10_000;
  private final Vertx vertx;
  private final FanoutConfig cfg;

  BusFetchClient(Vertx vertx) {
    this.vertx = vertx;
    this.cfg = RunningConfig.of(vertx);
  }

  @Override
  public Future<FetchResult> fetch(JsonObject spec) {
    return vertx.eventBus().<JsonObject>request(Addresses.FETCH, spec,
            FetchRoute.toRouter(vertx, delivery(fetchTimeoutMs(spec))))
        .map(m -> new FetchResult(m.body()));
  }

  @Override
  public Future<GatherResult> gather(JsonObject request) {
    return vertx.eventBus().<JsonObject>request(Addresses.GATHER, request, delivery(gatherTimeoutMs(request)))
        .map(m -> new GatherResult(m.body()));
  }

  @Override
  public FetchStream stream(JsonObject request) {
    GatherRequest req;
    try {
      req = GatherRequest.fromJson(request, cfg.gather().limits(), cfg.fetch().defaults());
    } catch (InvalidRequest e) {
      return GatherStream.failed(vertx, e.toFailure()); // the 400 fanout.gather answers
    }
    return new GatherStream(vertx, req, GatherVerticle.concurrency(req, cfg));
  }

  /**
   * The send timeout of a fetch of {@code spec}: its deadline and the margin. A spec that does not
   * parse gets the default deadline's; the service answers it at once with a 400 anyway.
   */
  long fetchTimeoutMs(JsonObject spec) {
    long deadline = cfg.fetch().deadlineMs();
    try {
      deadline = FetchSpec.fromJson(spec, cfg.fetch().defaults()).options().timeouts().deadlineMs();
    } catch (InvalidRequest | ClassCastException | NullPointerException e) {
      // bad input: the service's 400 names the field
    }
    return deadline + MARGIN_MS;
  }

  /**
   * The send timeout of a gather: each round of {@code concurrency} fetches (lowered as the service
   * lowers it for captured bodies) takes at most the longest deadline and the margin, which is how
   * long the gather itself waits for each reply.
   */
  long gatherTimeoutMs(JsonObject request) {
    GatherRequest req;
    try {
      req = GatherRequest.fromJson(request, cfg.gather().limits(), cfg.fetch().defaults());
    } catch (InvalidRequest | ClassCastException | NullPointerException e) {
      return cfg.fetch().deadlineMs() + MARGIN_MS; // answered at once with a 400
    }
    long deadline = req.requests().stream().mapToLong(s -> s.options().timeouts().deadlineMs()).max().orElse(0);
    int concurrency = GatherVerticle.concurrency(req, cfg);
    long rounds = (req.requests().size() + concurrency - 1) / concurrency;
    return Math.addExact(Math.multiplyExact(rounds, deadline + MARGIN_MS), MARGIN_MS);
  }

  static DeliveryOptions delivery(long timeoutMs) {
    return new DeliveryOptions().setSendTimeout(timeoutMs);
  }
}
