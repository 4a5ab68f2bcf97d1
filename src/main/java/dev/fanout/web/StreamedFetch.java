package dev.fanout.web;

import dev.fanout.bus.Capture;
import dev.fanout.bus.FetchSpec;
import dev.fanout.bus.GatherRequest.Mode;
import dev.fanout.bus.InvalidRequest;
import dev.fanout.bus.Json;
import dev.fanout.config.FanoutConfig;
import dev.fanout.gather.Gather;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code POST /v1/fetch} with {@code Content-Type: application/x-ndjson}: the list itself is
 * streamed, one URL or fetch spec per line ({@link LineBody}), through the one {@link Gather},
 * with its settings as query parameters ({@code concurrency, mode, ordered, timeoutMs,
 * deadlineMs, retries, maxBytes, capture}) checked like the JSON body's fields. The answer is the
 * NDJSON stream of the JSON API. No {@code gather.maxRequests} and no body limit: memory is bounded
 * by the window, not by the list. Other content types go on to the JSON body's handlers.
 */
final class StreamedFetch {
  private static final Set<String> PARAMS = Set.of(
      "concurrency", "mode", "ordered", "timeoutMs", "deadlineMs", "retries", "maxBytes", "capture");
  private static final Set<String> NUMBERS = Set.of("concurrency", "timeoutMs", "deadlineMs", "retries", "maxBytes");

  private final Vertx vertx;
  private final FanoutConfig cfg;

  StreamedFetch(Vertx vertx, FanoutConfig cfg) {
    this.vertx = vertx;
    this.cfg = cfg;
  }

  /** Serves an NDJSON request body; passes any other on. */
  void handle(RoutingContext ctx) {
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (type == null || !type.toLowerCase(Locale.ROOT).trim().startsWith(FetchApi.NDJSON)) {
      ctx.next();
      return;
    }
    JsonObject query;
    Mode mode;
    FetchSpec.Options options;
    int concurrency;
    try {
      query = query(ctx.request().params());
      mode = mode(Json.string(query, "mode"));
      options = cfg.fetch().defaults().over(query);
      Long asked = Json.number(query, "concurrency", 1, cfg.gather().maxConcurrency());
      concurrency = asked == null ? cfg.gather().defaultConcurrency() : asked.intValue();
    } catch (InvalidRequest e) {
      Problem.fail(ctx, e);
      return;
    }
    run(ctx, query, mode, options, concurrency);
  }

  private void run(RoutingContext ctx, JsonObject query, Mode mode, FetchSpec.Options options, int asked) {
    // Results in flight pile up in the response while a client reads slowly: those capturing
    // bodies must fit gather.maxSettleBytes, as for a streamed JSON request.
    long budget = cfg.gather().settleLimit();
    int concurrency = options.capture() == Capture.NONE || options.maxBytes() == 0 ? asked
        : (int) Math.max(1, Math.min(asked, budget / options.maxBytes()));
    long deadline = options.timeouts().deadlineMs();
    LineBody body = new LineBody(ctx.request(), options,
        new LineBody.Limits(cfg.gather().maxLineBytes(), deadline, Math.max(1, budget / concurrency)),
        Math.max(64, concurrency));
    HttpServerResponse resp = ctx.response();
    Gather.Sink out = FetchApi.ndjson(resp);
    Gather.Sink sink = new Gather.Sink() {
      @Override
      public void accept(long index, JsonObject result) {
        JsonObject instead = body.replaced(index);
        out.accept(index, instead != null ? instead : result);
      }

      @Override
      public boolean full() {
        return out.full();
      }

      @Override
      public void onDrain(Runnable resume) {
        out.onDrain(resume);
      }
    };
    boolean ordered = Boolean.TRUE.equals(query.getValue("ordered"));
    Gather gather = new Gather(vertx, body, sink,
        new Gather.Options(concurrency, ordered, cfg.cli().reorderWindow(), deadline + 10_000, mode));
    ctx.addEndHandler(ar -> {
      body.close();
      gather.cancel(false);
    });
    FetchApi.respond(resp, gather);
  }

  /** The query as a JSON object of typed values, each parameter known and given once. */
  private static JsonObject query(MultiMap params) {
    JsonObject out = new JsonObject();
    for (String name : params.names()) {
      if (!PARAMS.contains(name)) {
        throw new InvalidRequest(name, "unknown query parameter (known: capture, concurrency, deadlineMs, "
            + "maxBytes, mode, ordered, retries, timeoutMs)");
      }
      List<String> values = params.getAll(name);
      if (values.size() > 1) {
        throw new InvalidRequest(name, "is given more than once");
      }
      out.put(name, typed(name, values.get(0)));
    }
    return out;
  }

  private static Object typed(String name, String value) {
    if (NUMBERS.contains(name)) {
      try {
        return Long.parseLong(value.strip());
      } catch (NumberFormatException e) {
        throw new InvalidRequest(name, "must be a whole number (got \"" + value + "\")");
      }
    }
    if (name.equals("ordered")) {
      if (!value.equals("true") && !value.equals("false")) {
        throw new InvalidRequest(name, "must be true or false (got \"" + value + "\")");
      }
      return Boolean.parseBoolean(value);
    }
    return value;
  }

  private static Mode mode(String value) {
    if (value == null) {
      return Mode.SETTLE;
    }
    for (Mode m : Mode.values()) {
      if (m.wire().equals(value)) {
        return m;
      }
    }
    throw new InvalidRequest("mode", "must be settle or fail-fast (got \"" + value + "\")");
  }
}
