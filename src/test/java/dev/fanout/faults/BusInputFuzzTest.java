package dev.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.Addresses;
import dev.fanout.testing.Service;
import dev.fanout.testing.TargetServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Generated bodies of right and wrong shapes (as a bus client builds them: BigDecimal, NaN, lone
 * surrogates, non-object bodies) to every public bus address, 10,000 each: every request is
 * answered, with a reply or a failure of 400 (whose message names a field), 404 or 409 — never
 * another code, never no answer. The seed is printed with any failure; {@code -Dfuzz.seed=N}
 * runs that one again.
 */
@ExtendWith(VertxExtension.class)
class BusInputFuzzTest {
  static final int N = Integer.getInteger("fuzz.count", 10_000);
  static final int WINDOW = 32;
  static final long TIMEOUT_MS = 20_000;
  static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());
  static final Set<Integer> CLIENT_CODES = Set.of(400, 404, 409);

  static Vertx vertx;
  static Requests req;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext ctx) {
    BusInputFuzzTest.vertx = vertx;
    TargetServer.start(vertx)
        .compose(t -> {
          req = new Requests(new Bodies(SEED), List.of(t.url("/ok"), t.url("/ok?size=100"), t.url("/echo")));
          return Service.start(vertx, new JsonObject()
              .put("fetch", new JsonObject().put("retries", 0).put("backoffBaseMs", 1).put("backoffMaxMs", 5)
                  .put("deadlineMs", 5000).put("timeoutMs", 2000).put("perHost", 16))
              .put("gather", new JsonObject().put("maxRequests", 20)));
        })
        .compose(p -> {
          JsonArray jobs = new JsonArray();
          for (int i = 0; i < 20; i++) {
            jobs.add(new JsonObject().put("kind", "nobody-runs-this"));
          }
          return vertx.eventBus().<JsonObject>request(Addresses.JOBS_ENQUEUE, new JsonObject().put("jobs", jobs));
        })
        .onComplete(ctx.succeeding(created -> {
          created.body().getJsonArray("ids").forEach(id -> req.ids.add(((Number) id).longValue()));
          req.batches.add(created.body().getString("batch"));
          ctx.completeNow();
        }));
  }

  /** A body that is not a JSON object, at times; else {@code object}. */
  private Object maybeNotObject(Supplier<Object> object) {
    Bodies b = req.b();
    if (!b.chance(5)) {
      return object.get();
    }
    return b.pick(List.of("a string", 42, new JsonArray().add(1), true, Buffer.buffer("{}")));
  }

  private void fuzz(VertxTestContext ctx, String address, Supplier<Object> body) {
    Fuzz.run(N, WINDOW, i -> {
      Object sent = maybeNotObject(body);
      return vertx.eventBus().request(address, sent, new DeliveryOptions().setSendTimeout(TIMEOUT_MS))
          .<String>map(reply -> null)
          .recover(e -> Future.succeededFuture(check(e)))
          .map(problem -> problem == null ? null : Fuzz.clip(sent, 400) + ": " + problem);
    }).onComplete(ctx.succeeding(found -> ctx.verify(() -> {
      assertThat(found).as("seed %d, %s: %d of %d requests went wrong, the first: %s", SEED, address, found.size(), N,
          found.subList(0, Math.min(5, found.size()))).isEmpty();
      ctx.completeNow();
    })));
  }

  /** What is wrong with a failed request, or null when it is a client error naming its field. */
  static String check(Throwable e) {
    if (!(e instanceof ReplyException re) || re.failureType() != ReplyFailure.RECIPIENT_FAILURE) {
      return "not answered: " + e;
    }
    if (!CLIENT_CODES.contains(re.failureCode())) {
      return "failed with " + re.failureCode() + ": " + re.getMessage();
    }
    String m = re.getMessage();
    if (m == null || m.isEmpty() || re.failureCode() == 400 && m.indexOf(": ") <= 0) {
      return re.failureCode() + " without a message naming a field: " + m;
    }
    return null;
  }

  @Test
  @Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
  void jobs_enqueue_answers_every_body(VertxTestContext ctx) {
    fuzz(ctx, Addresses.JOBS_ENQUEUE, req::enqueue);
  }

  @Test
  @Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
  void jobs_get_answers_every_body(VertxTestContext ctx) {
    fuzz(ctx, Addresses.JOBS_GET, this::idBody);
  }

  @Test
  @Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
  void jobs_cancel_answers_every_body(VertxTestContext ctx) {
    fuzz(ctx, Addresses.JOBS_CANCEL, this::idBody);
  }

  @Test
  @Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
  void jobs_retry_answers_every_body(VertxTestContext ctx) {
    fuzz(ctx, Addresses.JOBS_RETRY, this::idBody);
  }

  @Test
  @Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
  void jobs_list_answers_every_body(VertxTestContext ctx) {
    fuzz(ctx, Addresses.JOBS_LIST, () -> {
      Bodies b = req.b();
      JsonObject o = new JsonObject();
      req.listQuery().forEach((k, v) -> o.put(k, b.chance(70) ? v : b.value(1)));
      if (b.chance(20)) {
        o.put("limit", b.oddNumber());
      }
      return o;
    });
  }

  @Test
  @Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
  void jobs_batch_answers_every_body(VertxTestContext ctx) {
    fuzz(ctx, Addresses.JOBS_BATCH, () -> {
      Bodies b = req.b();
      boolean exists = b.chance(40);
      JsonObject o = new JsonObject().put("id", exists ? b.pick(req.batches) : req.unknownBatch());
      if (b.chance(70)) {
        o.put("waitMs", exists ? (Object) (long) b.r.nextInt(50) : b.chance(50) ? b.oddNumber() : b.value(1));
      }
      return b.chance(95) ? o : b.mutate(o, Map.of("id", () -> b.value(1), "waitMs", b::oddNumber));
    });
  }

  @Test
  @Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
  void fetch_answers_every_body(VertxTestContext ctx) {
    fuzz(ctx, Addresses.FETCH, req::fetch);
  }

  @Test
  @Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
  void gather_answers_every_body(VertxTestContext ctx) {
    fuzz(ctx, Addresses.GATHER, req::gather);
  }

  private Object idBody() {
    Bodies b = req.b();
    JsonObject o = new JsonObject().put("id", req.id());
    if (b.chance(10)) {
      o.put(b.chance(50) ? "extra" : b.oddString(), b.value(1));
    }
    return b.chance(3) ? new JsonObject() : o;
  }
}
