package dev.fanout.gather;

import dev.fanout.bus.Addresses;
import dev.fanout.bus.BusFailure;
import dev.fanout.bus.Capture;
import dev.fanout.bus.FetchSpec;
import dev.fanout.bus.GatherRequest;
import dev.fanout.bus.InvalidRequest;
import dev.fanout.config.FanoutConfig;
import dev.fanout.config.RunningConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

/**
 * {@code fanout.gather} for event-bus clients: {@code {urls | requests, concurrency, mode, ...}}
 * (the body of {@code POST /v1/fetch}) → {@code {results, stats}}, results in input order. Bad
 * input fails the message with 400 naming the field.
 */
public final class GatherVerticle extends VerticleBase {
  private MessageConsumer<JsonObject> consumer;
  private FanoutConfig cfg;
  private FetchSpec.Options defaults;

  @Override
  public Future<?> start() {
    cfg = FanoutConfig.fromJson(config());
    defaults = cfg.fetch().defaults();
    RunningConfig.publish(vertx, config()); // the typed clients apply the same limits (dev.fanout.api)
    consumer = vertx.eventBus().consumer(Addresses.GATHER, this::onGather);
    return consumer.completion();
  }

  @Override
  public Future<?> stop() {
    return consumer.unregister();
  }

  private void onGather(Message<JsonObject> msg) {
    GatherRequest req;
    try {
      // A bus client may send anything: read the body untyped before treating it as an object.
      Object body = ((Message<?>) msg).body();
      req = GatherRequest.fromJson(body instanceof JsonObject o ? o : null, cfg.gather().limits(), defaults);
      cfg.gather().checkSettle(req); // the reply holds every result
    } catch (InvalidRequest e) {
      BusFailure.reply(msg, e);
      return;
    }
    run(vertx, req, cfg).onSuccess(msg::reply).onFailure(e -> BusFailure.reply(msg, e));
  }

  /** Runs {@code req} to completion; completes with {@code {results, stats}}. */
  public static Future<JsonObject> run(Vertx vertx, GatherRequest req, FanoutConfig cfg) {
    Collector sink = new Collector(req.requests().size());
    Gather gather = new Gather(vertx, new ListSource(req.requests()), sink, options(req, cfg));
    return gather.run().map(stats -> new JsonObject().put("results", sink.results()).put("stats", stats.toJson()));
  }

  /**
   * Gather options for a request: its concurrency and mode, results as completed (a collector
   * puts them back in input order), replies awaited past the longest deadline.
   */
  public static Gather.Options options(GatherRequest req, FanoutConfig cfg) {
    long deadline = req.requests().stream().mapToLong(s -> s.options().timeouts().deadlineMs()).max().orElse(0);
    return new Gather.Options(concurrency(req, cfg), false, 1, deadline + 10_000, req.mode());
  }

  /**
   * The request's concurrency, lowered when it captures bodies so that those in flight cannot
   * exceed {@code gather.maxSettleBytes} (each counts its {@code maxBytes}). A streamed response
   * writes every result that arrives, even while the client reads slowly and the gather pauses:
   * what is in flight is what can pile up in the response's write queue.
   */
  public static int concurrency(GatherRequest req, FanoutConfig cfg) {
    long widest = 0;
    for (FetchSpec s : req.requests()) {
      if (s.options().capture() != Capture.NONE) {
        widest = Math.max(widest, s.options().maxBytes());
      }
    }
    long fit = widest == 0 ? Long.MAX_VALUE : Math.max(1, cfg.gather().settleLimit() / widest);
    return (int) Math.min(req.concurrency(), fit);
  }
}
