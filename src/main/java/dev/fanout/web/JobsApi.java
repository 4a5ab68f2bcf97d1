package dev.fanout.web;

import static dev.fanout.web.BusCall.reply;

import dev.fanout.bus.Addresses;
import dev.fanout.bus.InvalidRequest;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * {@code /v1/jobs}, {@code /v1/batches}, {@code /v1/queues}: HTTP onto {@code fanout.jobs.*}.
 * Bus failures become problems in {@link Problem#fail}: 400 naming the field, 404, 409, 503 when
 * the database or the jobs service is unreachable, 504 when it does not answer in time — a job is
 * answered 201 only once it is stored.
 */
final class JobsApi {
  private static final long MAX_WAIT_S = 120;
  private final Vertx vertx;

  JobsApi(Vertx vertx) {
    this.vertx = vertx;
  }

  void enqueue(RoutingContext ctx) {
    JsonObject body;
    try {
      body = Problem.jsonObject(ctx.body().buffer(), "a job, or {\"jobs\": [...]}");
    } catch (InvalidRequest e) {
      Problem.fail(ctx, e);
      return;
    }
    reply(ctx, 201, send(ctx, Addresses.JOBS_ENQUEUE, body, 0));
  }

  void get(RoutingContext ctx) {
    idBody(ctx).ifPresent(b -> reply(ctx, send(ctx, Addresses.JOBS_GET, b, 0)));
  }

  void cancel(RoutingContext ctx) {
    idBody(ctx).ifPresent(b -> reply(ctx, send(ctx, Addresses.JOBS_CANCEL, b, 0)));
  }

  void retry(RoutingContext ctx) {
    idBody(ctx).ifPresent(b -> reply(ctx, send(ctx, Addresses.JOBS_RETRY, b, 0)));
  }

  void list(RoutingContext ctx) {
    JsonObject b = new JsonObject();
    try {
      for (String p : new String[] {"state", "kind", "batch", "cursor"}) {
        if (query(ctx).contains(p)) {
          b.put(p, query(ctx).get(p));
        }
      }
      String limit = query(ctx).get("limit");
      if (limit != null) {
        b.put("limit", PathNumbers.whole("limit", limit, 1, 1000));
      }
    } catch (InvalidRequest e) {
      Problem.fail(ctx, e);
      return;
    }
    reply(ctx, send(ctx, Addresses.JOBS_LIST, b, 0));
  }

  void batch(RoutingContext ctx) {
    JsonObject b = new JsonObject().put("id", ctx.pathParam("id"));
    long waitMs = 0;
    try {
      String wait = query(ctx).get("wait");
      if (wait != null) {
        waitMs = PathNumbers.seconds("wait", wait, MAX_WAIT_S);
        b.put("waitMs", waitMs);
      }
    } catch (InvalidRequest e) {
      Problem.fail(ctx, e);
      return;
    }
    reply(ctx, send(ctx, Addresses.JOBS_BATCH, b, waitMs));
  }

  /** The query parameters; a query string that does not decode is bad input naming {@code query}. */
  private static MultiMap query(RoutingContext ctx) {
    try {
      return ctx.queryParams();
    } catch (RuntimeException e) {
      throw new InvalidRequest("query", "does not decode: " + e.getMessage());
    }
  }

  void queues(RoutingContext ctx) {
    reply(ctx, send(ctx, Addresses.JOBS_QUEUES, new JsonObject(), 0));
  }

  private static Optional<JsonObject> idBody(RoutingContext ctx) {
    try {
      return Optional.of(new JsonObject().put("id", PathNumbers.id("id", ctx.pathParam("id"))));
    } catch (InvalidRequest e) {
      Problem.fail(ctx, e);
      return Optional.empty();
    }
  }

  private Future<JsonObject> send(RoutingContext ctx, String address, JsonObject body, long waitMs) {
    return BusCall.ask(vertx, ctx, address, body, new DeliveryOptions().setSendTimeout(30_000 + waitMs));
  }
}
