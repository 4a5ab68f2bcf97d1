package dev.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.testing.Service;
import dev.fanout.testing.TargetServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Client input that once got a 5xx, was stored altered, or was taken for something else: each
 * must now be stored exactly or refused with a 400 problem naming the field.
 */
@ExtendWith(VertxExtension.class)
class ClientInputTest {
  static WebClient web;
  static TargetServer target;
  static int port;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext ctx) {
    web = WebClient.create(vertx);
    TargetServer.start(vertx)
        .compose(t -> {
          target = t;
          return Service.start(vertx, new JsonObject().put("fetch", new JsonObject().put("retries", 0)));
        })
        .onComplete(ctx.succeeding(p -> {
          port = p;
          ctx.completeNow();
        }));
  }

  private Future<HttpResponse<Buffer>> post(String path, String body, String contentType) {
    var req = web.post(port, "127.0.0.1", path);
    if (contentType != null) {
      req.putHeader("Content-Type", contentType);
    }
    return req.sendBuffer(Buffer.buffer(body));
  }

  private Future<HttpResponse<Buffer>> post(String path, String body) {
    return post(path, body, "application/json");
  }

  private Future<HttpResponse<Buffer>> get(String path) {
    return web.get(port, "127.0.0.1", path).send();
  }

  /** Asserts a 400 problem naming {@code field}, whose detail mentions {@code detailPart}. */
  private static void assertInvalid(HttpResponse<Buffer> r, String field, String detailPart) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(400);
    assertThat(r.getHeader("Content-Type")).isEqualTo("application/problem+json");
    JsonObject p = r.bodyAsJsonObject();
    assertThat(p.getString("field")).as(p.encode()).isEqualTo(field);
    assertThat(p.getString("detail")).as(p.encode()).isNotNull().contains(detailPart);
  }

  private static String job(String extra) {
    return "{\"kind\":\"nobody-runs-this\"" + extra + "}";
  }

  @Test
  void run_at_outside_years_1_to_9999_is_400_naming_the_field(VertxTestContext ctx) {
    Future.all(
            post("/v1/jobs", "{\"jobs\":[" + job("") + "," + job("") + "," + job("") + ","
                + job(",\"runAt\":\"-5000-01-01T00:00:00Z\"") + "]}"),
            post("/v1/jobs", job(",\"runAt\":\"+99999-01-01T00:00:00Z\"")),
            post("/v1/jobs", job(",\"runAt\":\"0000-12-31T23:59:59Z\"")),
            post("/v1/jobs", job(",\"runAt\":\"2030-01-01T00:00:00.123456789Z\"")),
            post("/v1/jobs", job(",\"runAt\":\"9999-12-31T23:59:59.999999Z\"")),
            post("/v1/jobs", job(",\"runAt\":\"0001-01-01T00:00:00Z\"")))
        .onSuccess(all -> ctx.verify(() -> {
          assertInvalid(all.resultAt(0), "jobs[3].runAt", "0001");
          assertInvalid(all.resultAt(1), "runAt", "9999");
          assertInvalid(all.resultAt(2), "runAt", "0001");
          assertInvalid(all.resultAt(3), "runAt", "microsecond");
          assertThat(((HttpResponse<?>) all.resultAt(4)).statusCode()).isEqualTo(201);
          assertThat(((HttpResponse<?>) all.resultAt(5)).statusCode()).isEqualTo(201);
        }))
        .compose(all -> Future.all(get("/v1/jobs/" + id(all.resultAt(4))), get("/v1/jobs/" + id(all.resultAt(5)))))
        .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
          // The bounds read back as written: the row decodes, and nothing was rounded.
          assertThat(((HttpResponse<Buffer>) both.resultAt(0)).bodyAsJsonObject().getString("runAt"))
              .isEqualTo("9999-12-31T23:59:59.999999Z");
          assertThat(((HttpResponse<Buffer>) both.resultAt(1)).bodyAsJsonObject().getString("runAt"))
              .isEqualTo("0001-01-01T00:00:00Z");
          ctx.completeNow();
        })));
  }

  private static long id(HttpResponse<Buffer> created) {
    return created.bodyAsJsonObject().getJsonArray("ids").getLong(0);
  }

  @Test
  void nul_and_lone_surrogates_in_a_payload_are_400_naming_the_field(VertxTestContext ctx) {
    Future.all(
            post("/v1/jobs", job(",\"payload\":{\"a\":{\"b\":[\"x\\u0000y\"]}}")),
            post("/v1/jobs", job(",\"payload\":{\"s\":\"\\ud800\"}")),
            post("/v1/jobs", job(",\"payload\":{\"k\\u0000\":1}")),
            post("/v1/jobs", job(",\"idempotencyKey\":\"a\\u0000b\"")),
            post("/v1/jobs", job(",\"idempotencyKey\":\"\\udc00\"")))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          assertInvalid(all.resultAt(0), "payload.a.b[0]", "NUL");
          assertInvalid(all.resultAt(1), "payload.s", "surrogate");
          assertInvalid(all.resultAt(2), "payload", "NUL");
          assertInvalid(all.resultAt(3), "idempotencyKey", "NUL");
          assertInvalid(all.resultAt(4), "idempotencyKey", "surrogate");
          ctx.completeNow();
        })));
  }

  @Test
  void numbers_a_double_cannot_hold_are_400_never_stored_altered(VertxTestContext ctx) {
    Future.all(
            post("/v1/jobs", job(",\"payload\":{\"n\":1e400}")),
            post("/v1/jobs", job(",\"payload\":{\"n\":[0.10000000000000000001]}")),
            post("/v1/jobs", job(",\"payload\":{\"n\":-1e-400}")))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          assertInvalid(all.resultAt(0), "payload.n", "1E+400");
          assertInvalid(all.resultAt(1), "payload.n[0]", "0.10000000000000000001");
          assertInvalid(all.resultAt(2), "payload.n", "E-400");
          ctx.completeNow();
        })));
  }

  @Test
  void a_payload_is_stored_exactly_as_sent(VertxTestContext ctx) {
    String payload = "{\"big\":123456789012345678901234567890,\"neg\":-9223372036854775809,\"f\":0.1,"
        + "\"e\":1.5e300,\"pair\":\"\\ud83d\\ude00\",\"ctl\":\"\\u0001\\u001f\\t\",\"deep\":[[[{\"x\":null}]]]}";
    post("/v1/jobs", job(",\"payload\":" + payload))
        .compose(created -> {
          ctx.verify(() -> assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201));
          return get("/v1/jobs/" + created.bodyAsJsonObject().getJsonArray("ids").getLong(0));
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.statusCode()).isEqualTo(200);
          assertThat(r.bodyAsJsonObject().getJsonObject("payload")).isEqualTo(new JsonObject(payload));
          ctx.completeNow();
        })));
  }

  @Test
  void a_json_body_sent_as_a_form_is_parsed_as_json(VertxTestContext ctx) {
    String big = "x".repeat(4000);
    Future.all(
            post("/v1/jobs", job(",\"payload\":{\"s\":\"" + big + "\"}"), "application/x-www-form-urlencoded"),
            post("/v1/jobs", job(""), "application/x-www-form-urlencoded"),
            post("/v1/jobs", job(""), null),
            post("/v1/fetch", "{\"urls\":[\"" + target.url("/ok?pad=" + big) + "\"]}",
                "application/x-www-form-urlencoded"),
            post("/v1/jobs", "kind=a&payload=" + big, "application/x-www-form-urlencoded"))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          assertThat(((HttpResponse<?>) all.resultAt(0)).statusCode()).isEqualTo(201);
          assertThat(((HttpResponse<?>) all.resultAt(1)).statusCode()).isEqualTo(201);
          assertThat(((HttpResponse<?>) all.resultAt(2)).statusCode()).isEqualTo(201);
          assertThat(((HttpResponse<?>) all.resultAt(3)).statusCode()).isEqualTo(200);
          assertInvalid(all.resultAt(4), "body", "JSON");
          ctx.completeNow();
        })));
  }

  @Test
  void out_of_range_numbers_are_reported_with_their_true_value(VertxTestContext ctx) {
    Future.all(
            post("/v1/jobs", job(",\"priority\":18446744073709551616")),
            post("/v1/jobs", job(",\"maxAttempts\":9223372036854775808")),
            post("/v1/jobs", job(",\"priority\":1e400")),
            post("/v1/jobs", job(",\"priority\":1.5")),
            post("/v1/fetch", "{\"urls\":[\"" + target.url("/ok") + "\"],\"concurrency\":-18446744073709551617}"))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          assertInvalid(all.resultAt(0), "priority", "got 18446744073709551616");
          assertInvalid(all.resultAt(1), "maxAttempts", "got 9223372036854775808");
          assertInvalid(all.resultAt(2), "priority", "got 1E+400");
          assertInvalid(all.resultAt(3), "priority", "got 1.5");
          assertInvalid(all.resultAt(4), "concurrency", "got -18446744073709551617");
          ctx.completeNow();
        })));
  }

  @Test
  void ids_in_paths_are_digits_within_the_long_range(VertxTestContext ctx) {
    post("/v1/jobs", job(""))
        .compose(created -> {
          long id = created.bodyAsJsonObject().getJsonArray("ids").getLong(0);
          List<Future<HttpResponse<Buffer>>> fs = new ArrayList<>();
          fs.add(get("/v1/jobs/+" + id));
          fs.add(get("/v1/jobs/-" + id));
          fs.add(get("/v1/jobs/99999999999999999999"));
          fs.add(post("/v1/jobs/9223372036854775808/cancel", ""));
          fs.add(post("/v1/jobs/%2B" + id + "/retry", ""));
          fs.add(get("/v1/jobs/" + id));
          return Future.all(fs);
        })
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          for (int i = 0; i < 5; i++) {
            assertInvalid(all.resultAt(i), "id", "digits");
          }
          assertThat(((HttpResponse<?>) all.resultAt(5)).statusCode()).isEqualTo(200);
          ctx.completeNow();
        })));
  }

  @Test
  void wait_and_limit_must_be_finite_numbers_in_range(VertxTestContext ctx) {
    String batch = "/v1/batches/00000000-0000-0000-0000-000000000000?wait=";
    Future.all(List.of(get(batch + "NaN"), get(batch + "Infinity"), get(batch + "0x10"), get(batch + "-0"),
            get("/v1/jobs?limit=%2B5"), get("/v1/jobs?limit=18446744073709551616"), get("/v1/jobs?cursor=-1"),
            get(batch + "1.5")))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          for (int i = 0; i < 4; i++) {
            assertInvalid(all.resultAt(i), "wait", "seconds");
          }
          assertInvalid(all.resultAt(4), "limit", "+5");
          assertInvalid(all.resultAt(5), "limit", "18446744073709551616");
          assertInvalid(all.resultAt(6), "cursor", "cursor");
          assertThat(((HttpResponse<?>) all.resultAt(7)).statusCode()).isEqualTo(404);
          ctx.completeNow();
        })));
  }

  @Test
  void header_names_and_values_follow_rfc_9110(VertxTestContext ctx) {
    String ok = target.url("/echo");
    Future.all(List.of(
            post("/v1/fetch", "{\"requests\":[{\"url\":\"" + ok + "\"},{\"url\":\"" + ok + "\"},"
                + "{\"url\":\"" + ok + "\",\"headers\":{\"X-Foo\":\"a\\u007fb\"}}]}"),
            post("/v1/fetch", "{\"requests\":[{\"url\":\"" + ok + "\",\"headers\":{\"X-Foo\":\"a\\u0001b\"}}]}"),
            post("/v1/fetch", "{\"requests\":[{\"url\":\"" + ok + "\",\"headers\":{\"X-Foo\":\"\\u0100\"}}]}"),
            post("/v1/fetch", "{\"requests\":[{\"url\":\"" + ok + "\",\"headers\":{\"X-Foo\":\" padded \"}}]}"),
            post("/v1/fetch", "{\"requests\":[{\"url\":\"" + ok + "\",\"headers\":{\"X Foo\":\"a\"}}]}"),
            post("/v1/fetch", "{\"requests\":[{\"url\":\"" + ok + "\",\"headers\":{\"X-Foo\":\"a\\tb c\\u00e9\"}}]}")))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          assertInvalid(all.resultAt(0), "requests[2].headers.X-Foo", "RFC 9110");
          assertInvalid(all.resultAt(1), "requests[0].headers.X-Foo", "RFC 9110");
          assertInvalid(all.resultAt(2), "requests[0].headers.X-Foo", "RFC 9110");
          assertInvalid(all.resultAt(3), "requests[0].headers.X-Foo", "whitespace");
          assertInvalid(all.resultAt(4), "requests[0].headers.X Foo", "header name");
          HttpResponse<Buffer> fine = all.resultAt(5);
          assertThat(fine.statusCode()).isEqualTo(200);
          assertThat(fine.bodyAsJsonObject().getJsonArray("results").getJsonObject(0).getBoolean("ok")).isTrue();
          ctx.completeNow();
        })));
  }
}
