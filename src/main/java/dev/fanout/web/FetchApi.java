package dev.fanout.web;

import dev.fanout.bus.GatherRequest;
import dev.fanout.bus.InvalidRequest;
import dev.fanout.config.FanoutConfig;
import dev.fanout.gather.Collector;
import dev.fanout.gather.Gather;
import dev.fanout.gather.GatherVerticle;
import dev.fanout.gather.ListSource;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /v1/fetch}: a gather over the event bus. JSON in, {@code {results, stats}} out with
 * results in input order; with {@code Accept: application/x-ndjson} one result per line as they
 * complete, then a {@code {"stats": ...}} line. The response's end, for any reason (answered, timed
 * out, client gone), cancels the gather. A streamed request (an NDJSON body) is
 * {@link StreamedFetch}'s, answered the same way. {@code GET /v1/egress} tells a client (the CLI's
 * {@code --via}) the egress policy its fetches get here.
 */
final class FetchApi {
  static final String NDJSON = "application/x-ndjson";

  private final Vertx vertx;
  private final FanoutConfig cfg;

  FetchApi(Vertx vertx, FanoutConfig cfg) {
    this.vertx = vertx;
    this.cfg = cfg;
  }

  void gather(RoutingContext ctx) {
    if (!open(ctx.response())) {
      return; // answered already: the request timed out while its body arrived
    }
    GatherRequest req;
    try {
      req = GatherRequest.fromJson(Problem.jsonObject(ctx.body().buffer(), "a JSON object with urls or requests"),
          cfg.gather().limits(), cfg.fetch().defaults());
    } catch (InvalidRequest e) {
      Problem.fail(ctx, e);
      return;
    }
    String accept = ctx.request().getHeader("Accept");
    if (accept != null && accept.contains(NDJSON)) {
      stream(ctx, req);
      return;
    }
    try {
      cfg.gather().checkSettle(req); // the whole response is held in memory
    } catch (InvalidRequest e) {
      Problem.fail(ctx, e);
      return;
    }
    whole(ctx, req);
  }

  private void whole(RoutingContext ctx, GatherRequest req) {
    Collector sink = new Collector(req.requests().size());
    Gather gather = start(ctx, req, sink);
    HttpServerResponse resp = ctx.response();
    gather.run().onComplete(ar -> {
      if (resp.closed() || resp.ended()) {
        return;
      }
      if (ar.failed()) {
        Problem.fail(ctx, ar.cause());
        return;
      }
      ctx.json(new JsonObject().put("results", sink.results()).put("stats", stats(ar.result().toJson(), gather)));
    });
  }

  private void stream(RoutingContext ctx, GatherRequest req) {
    Gather.Sink sink = ndjson(ctx.response());
    respond(ctx.response(), start(ctx, req, sink));
  }

  /**
   * A sink writing each result as one NDJSON line of {@code resp} (chunked), full while the
   * response's write queue is: a client that reads slowly pauses the gather.
   */
  static Gather.Sink ndjson(HttpServerResponse resp) {
    resp.setChunked(true).putHeader("Content-Type", NDJSON);
    return new Gather.Sink() {
      @Override
      public void accept(long index, JsonObject result) {
        if (open(resp)) { // the gather is being cancelled: its last results have nowhere to go
          resp.write(result.toBuffer().appendByte((byte) '\n'));
        }
      }

      @Override
      public boolean full() {
        return open(resp) && resp.writeQueueFull();
      }

      @Override
      public void onDrain(Runnable resume) {
        resp.drainHandler(v -> resume.run());
      }
    };
  }

  /** Runs {@code gather} into a streamed response: the stats line at the end, a reset if it fails. */
  static void respond(HttpServerResponse resp, Gather gather) {
    gather.run().onComplete(ar -> {
      if (resp.closed() || resp.ended()) {
        return;
      }
      if (ar.failed()) {
        resp.reset();
        return;
      }
      resp.end(new JsonObject().put("stats", stats(ar.result().toJson(), gather)).toBuffer().appendByte((byte) '\n'));
    });
  }

  /** {@code GET /v1/egress}: this node's egress policy as configured, for a client that must not widen it. */
  void egress(RoutingContext ctx) {
    JsonArray allow = new JsonArray();
    JsonArray deny = new JsonArray();
    cfg.egress().allow().forEach(c -> allow.add(c.toString()));
    cfg.egress().deny().forEach(c -> deny.add(c.toString()));
    ctx.json(new JsonObject().put("allow", allow).put("deny", deny));
  }

  /**
   * A gather for {@code req} that the response's end cancels, whatever ends it: the answer, a
   * timeout, the client leaving.
   */
  private Gather start(RoutingContext ctx, GatherRequest req, Gather.Sink sink) {
    Gather gather = new Gather(vertx, new ListSource(req.requests()), sink, GatherVerticle.options(req, cfg));
    ctx.addEndHandler(ar -> gather.cancel(false));
    return gather;
  }

  static boolean open(HttpServerResponse resp) {
    return !resp.ended() && !resp.closed();
  }

  private static JsonObject stats(JsonObject stats, Gather gather) {
    return stats.put("cancelled", gather.cancelled());
  }
}
