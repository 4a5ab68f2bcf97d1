package dev.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.testing.Service;
import dev.fanout.testing.TargetServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Generated bodies, paths and query strings of right and wrong shapes against every HTTP
 * endpoint (10,000 each): never a 5xx, never a hang (each request has a timeout), and every 4xx
 * a problem document with a detail and the field it is about. The seed is printed with any
 * failure; {@code -Dfuzz.seed=N} runs that one again.
 */
@ExtendWith(VertxExtension.class)
class InputFuzzTest {
  static final int N = Integer.getInteger("fuzz.count", 10_000);
  static final int WINDOW = 32;
  static final long TIMEOUT_MS = 20_000;
  static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());
  static final List<String> CONTENT_TYPES = List.of("application/json", "application/json; charset=utf-8",
      "application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x", "");

  static WebClient web;
  static TargetServer target;
  static Requests req;
  static int port;

  /** The service with fetches bounded to a few seconds, and some jobs whose ids and batches exist. */
  @BeforeAll
  static void start(Vertx vertx, VertxTestContext ctx) {
    web = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(WINDOW));
    TargetServer.start(vertx)
        .compose(t -> {
          target = t;
          req = new Requests(new Bodies(SEED), List.of(t.url("/ok"), t.url("/ok?size=100"), t.url("/echo")));
          return Service.start(vertx, new JsonObject()
              .put("fetch", new JsonObject().put("retries", 0).put("backoffBaseMs", 1).put("backoffMaxMs", 5)
                  .put("deadlineMs", 5000).put("timeoutMs", 2000).put("perHost", 16))
              .put("gather", new JsonObject().put("maxRequests", 20)));
        })
        .compose(p -> {
          port = p;
          JsonArray jobs = new JsonArray();
          for (int i = 0; i < 20; i++) {
            jobs.add(new JsonObject().put("kind", "nobody-runs-this"));
          }
          return web.post(port, "127.0.0.1", "/v1/jobs").sendJsonObject(new JsonObject().put("jobs", jobs));
        })
        .onComplete(ctx.succeeding(created -> {
          JsonObject e = created.bodyAsJsonObject();
          e.getJsonArray("ids").forEach(id -> req.ids.add(((Number) id).longValue()));
          req.batches.add(e.getString("batch"));
          ctx.completeNow();
        }));
  }

  private void fuzz(VertxTestContext ctx, IntFunction<Future<String>> one) {
    Fuzz.run(N, WINDOW, one).onComplete(ctx.succeeding(found -> ctx.verify(() -> {
      assertThat(found).as("seed %d: %d of %d requests went wrong, the first: %s", SEED, found.size(), N,
          found.subList(0, Math.min(5, found.size()))).isEmpty();
      ctx.completeNow();
    })));
  }

  /** What is wrong with a response, or null: a 5xx, or a 4xx that is not a problem naming a field. */
  static String check(HttpResponse<Buffer> r) {
    int s = r.statusCode();
    if (s >= 500) {
      return "got " + s + ": " + Fuzz.clip(r.bodyAsString(), 300);
    }
    if (s >= 400) {
      if (!"application/problem+json".equals(r.getHeader("Content-Type"))) {
        return s + " is not a problem document: " + r.getHeader("Content-Type");
      }
      JsonObject p = r.bodyAsJsonObject();
      if (!(p.getValue("detail") instanceof String d) || d.isEmpty()
          || !(p.getValue("field") instanceof String f) || f.isEmpty()) {
        return s + " without a detail and a field: " + Fuzz.clip(p.encode(), 300);
      }
    }
    return null;
  }

  private Future<String> send(HttpMethod method, String uri, String body, String what) {
    HttpRequest<Buffer> r = web.request(method, port, "127.0.0.1", uri).timeout(TIMEOUT_MS);
    String type = req.b().pick(CONTENT_TYPES);
    if (body != null && !type.isEmpty()) {
      r.putHeader("Content-Type", type);
    }
    Future<HttpResponse<Buffer>> f = body == null ? r.send() : r.sendBuffer(Buffer.buffer(body));
    return f.map(InputFuzzTest::check)
        .map(problem -> problem == null
            ? null
            : method + " " + Fuzz.clip(uri, 200) + " " + Fuzz.clip(what, 400) + ": " + problem)
        .recover(e -> Future.succeededFuture(
            method + " " + Fuzz.clip(uri, 200) + " " + Fuzz.clip(what, 400) + ": " + e));
  }

  private String text(Object value) {
    Bodies b = req.b();
    String t = b.text(value);
    return b.chance(12) ? b.broken(t) : t;
  }

  @Test
  @Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
  void post_jobs_never_answers_5xx_and_names_the_field(VertxTestContext ctx) {
    fuzz(ctx, i -> {
      String body = text(req.enqueue());
      return send(HttpMethod.POST, "/v1/jobs", body, body);
    });
  }

  @Test
  @Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
  void post_fetch_never_answers_5xx_and_names_the_field(VertxTestContext ctx) {
    fuzz(ctx, i -> {
      String body = text(req.gather());
      return send(HttpMethod.POST, "/v1/fetch", body, body);
    });
  }

  @Test
  @Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
  void get_jobs_list_never_answers_5xx_and_names_the_field(VertxTestContext ctx) {
    fuzz(ctx, i -> {
      StringBuilder q = new StringBuilder("/v1/jobs");
      char sep = '?';
      for (Map.Entry<String, String> e : req.listQuery().entrySet()) {
        String v = req.b().chance(5) ? req.b().pick(List.of("%zz", "%", "%0", "a%00b")) : Bodies.encode(e.getValue());
        q.append(sep).append(e.getKey()).append('=').append(v);
        sep = '&';
      }
      return send(HttpMethod.GET, q.toString(), null, "");
    });
  }

  @Test
  @Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
  void get_batch_never_answers_5xx_and_names_the_field(VertxTestContext ctx) {
    fuzz(ctx, i -> {
      Bodies b = req.b();
      boolean exists = b.chance(40);
      String id = exists ? b.pick(req.batches) : Bodies.encode(String.valueOf(req.unknownBatch()));
      String uri = "/v1/batches/" + (id.isEmpty() ? "x" : id)
          + (b.chance(80) ? "?wait=" + Bodies.encode(req.waitText(exists)) : "");
      return send(HttpMethod.GET, uri, null, "");
    });
  }

  @Test
  @Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
  void job_by_id_get_cancel_retry_never_answer_5xx_and_name_the_field(VertxTestContext ctx) {
    fuzz(ctx, i -> {
      Bodies b = req.b();
      Object id = req.id();
      String seg = b.chance(5) ? b.pick(List.of("%zz", "%", "1%00", "%2B1", "1.0", "0", "-0"))
          : Bodies.encode(String.valueOf(id));
      seg = seg.isEmpty() ? "%20" : seg;
      return switch (i % 3) {
        case 0 -> send(HttpMethod.GET, "/v1/jobs/" + seg, null, "");
        case 1 -> send(HttpMethod.POST, "/v1/jobs/" + seg + "/cancel", b.chance(20) ? text(b.value(1)) : null, "");
        default -> send(HttpMethod.POST, "/v1/jobs/" + seg + "/retry", null, "");
      };
    });
  }
}
