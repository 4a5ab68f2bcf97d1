package dev.fanout.fetch;

import static dev.fanout.testing.Fetchers.fetch;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.Addresses;
import dev.fanout.bus.ErrorKind;
import dev.fanout.bus.FetchResult;
import dev.fanout.bus.HostShards;
import dev.fanout.testing.Fetchers;
import dev.fanout.testing.TargetServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class FetchBasicsTest {

  @Test
  void fetches_200_with_size_hash_and_headers(Vertx vertx, VertxTestContext ctx) throws Exception {
    String sha = HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest("x".repeat(100).getBytes(StandardCharsets.UTF_8)));
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, new JsonObject())
            .compose(id -> Fetchers.get(vertx, t.url("/ok?size=100"))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.ok()).isTrue();
          assertThat(r.status()).isEqualTo(200);
          assertThat(r.bytes()).isEqualTo(100);
          assertThat(r.sha256()).isEqualTo(sha);
          assertThat(r.body()).isNull();
          assertThat(r.attempts()).isEqualTo(1);
          assertThat(r.headers().getString("content-length")).isEqualTo("100");
          assertThat(r.error()).isNull();
          ctx.completeNow();
        })));
  }

  @Test
  void an_ipv6_literal_is_sent_a_bracketed_host_header(Vertx vertx, VertxTestContext ctx) {
    JsonObject allowV6 = new JsonObject().put("egress", new JsonObject().put("allow",
        new JsonArray().add("::1/128")));
    vertx.createHttpServer()
        .requestHandler(req -> req.response().end(String.valueOf(req.headers().get("host"))))
        .listen(0, "::1")
        .compose(server -> Fetchers.deploy(vertx, allowV6)
            .compose(id -> Fetchers.fetch(vertx, new JsonObject()
                .put("url", "http://[::1]:" + server.actualPort() + "/").put("capture", "text")))
            .map(r -> {
              ctx.verify(() -> {
                assertThat(r.ok()).as("%s", r.error()).isTrue();
                assertThat(r.body()).isEqualTo("[::1]:" + server.actualPort());
              });
              return r;
            }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void captures_text_and_base64(Vertx vertx, VertxTestContext ctx) {
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, new JsonObject())
            .compose(id -> fetch(vertx, new JsonObject().put("url", t.url("/ok?size=5")).put("capture", "text")))
            .compose(text -> fetch(vertx, new JsonObject().put("url", t.url("/ok?size=5")).put("capture", "base64"))
                .map(b64 -> new String[] {text.body(), b64.body()})))
        .onComplete(ctx.succeeding(bodies -> ctx.verify(() -> {
          assertThat(bodies[0]).isEqualTo("xxxxx");
          assertThat(bodies[1]).isEqualTo(Base64.getEncoder().encodeToString("xxxxx".getBytes(StandardCharsets.UTF_8)));
          ctx.completeNow();
        })));
  }

  @Test
  void non_2xx_is_a_result_with_http_status(Vertx vertx, VertxTestContext ctx) {
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, new JsonObject())
            .compose(id -> Fetchers.get(vertx, t.url("/status?code=404"))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.ok()).isFalse();
          assertThat(r.status()).isEqualTo(404);
          assertThat(r.errorKind()).isEqualTo(ErrorKind.HTTP_STATUS);
          assertThat(r.attempts()).isEqualTo(1);
          ctx.completeNow();
        })));
  }

  @Test
  void sends_method_headers_and_body(Vertx vertx, VertxTestContext ctx) {
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, new JsonObject())
            .compose(id -> fetch(vertx, new JsonObject().put("url", t.url("/echo")).put("method", "post")
                .put("headers", new JsonObject().put("X-Trace", "abc")).put("body", "hello").put("capture", "text"))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          JsonObject echo = new JsonObject(r.body());
          assertThat(echo.getString("method")).isEqualTo("POST");
          assertThat(echo.getString("body")).isEqualTo("hello");
          assertThat(echo.getJsonObject("headers").getString("x-trace")).isEqualTo("abc");
          assertThat(echo.getJsonObject("headers").getString("user-agent")).isEqualTo("fanout");
          assertThat(echo.getJsonObject("headers").getString("host"))
              .isEqualTo("127.0.0.1:" + r.url().split(":")[2].split("/")[0]);
          ctx.completeNow();
        })));
  }

  @Test
  void unparseable_url_is_an_invalid_url_result(Vertx vertx, VertxTestContext ctx) {
    Fetchers.deploy(vertx, new JsonObject())
        .compose(id -> Fetchers.get(vertx, "ftp://example.com/x"))
        .compose(ftp -> Fetchers.get(vertx, "http://exa mple.com:99999/").map(port -> new Object[] {ftp, port}))
        .onComplete(ctx.succeeding(rs -> ctx.verify(() -> {
          assertThat(((FetchResult) rs[0]).errorKind()).isEqualTo(ErrorKind.INVALID_URL);
          assertThat(((FetchResult) rs[1]).errorKind()).isEqualTo(ErrorKind.INVALID_URL);
          ctx.completeNow();
        })));
  }

  @Test
  void malformed_spec_fails_the_message_with_400_naming_the_field(Vertx vertx, VertxTestContext ctx) {
    Fetchers.deploy(vertx, new JsonObject())
        .compose(id -> vertx.eventBus().request(Addresses.FETCH,
            new JsonObject().put("url", "http://x/").put("retries", "three")))
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertThat(e).isInstanceOf(ReplyException.class);
          assertThat(((ReplyException) e).failureCode()).isEqualTo(400);
          assertThat(e.getMessage()).startsWith("retries:");
          ctx.completeNow();
        })));
  }

  @Test
  void unknown_field_and_forbidden_header_are_rejected(Vertx vertx, VertxTestContext ctx) {
    Fetchers.deploy(vertx, new JsonObject())
        .compose(id -> vertx.eventBus().request(Addresses.FETCH,
            new JsonObject().put("url", "http://x/").put("timeout", 5))
            .map("accepted").otherwise(e -> e.getMessage()))
        .compose(first -> vertx.eventBus().request(Addresses.FETCH, new JsonObject().put("url", "http://x/")
                .put("headers", new JsonObject().put("Host", "evil")))
            .map("accepted").otherwise(e -> e.getMessage()).map(second -> new String[] {first, second}))
        .onComplete(ctx.succeeding(msgs -> ctx.verify(() -> {
          assertThat(msgs[0]).startsWith("timeout: unknown field");
          assertThat(msgs[1]).startsWith("headers.Host:");
          ctx.completeNow();
        })));
  }

  @Test
  void a_spec_sent_to_the_wrong_shard_is_served_by_the_owner(Vertx vertx, VertxTestContext ctx) {
    TargetServer.start(vertx).compose(t -> {
      String key = HostShards.hostKey("127.0.0.1", t.port());
      int wrong = (HostShards.shardOf(key) + 1) % HostShards.COUNT;
      return Fetchers.deploy(vertx, Fetchers.fetch("perHost", 1))
          .compose(id -> Future.all(
              vertx.eventBus().<JsonObject>request(Addresses.fetchShard(wrong),
                  new JsonObject().put("url", t.url("/delay?ms=50"))),
              vertx.eventBus().<JsonObject>request(HostShards.addressOf(key),
                  new JsonObject().put("url", t.url("/delay?ms=50")))))
          .map(cf -> {
            ctx.verify(() -> {
              assertThat(((Message<JsonObject>) cf.resultAt(0)).body().getBoolean("ok")).isTrue();
              assertThat(t.maxInFlight()).isEqualTo(1);
            });
            return cf;
          });
    }).onComplete(ctx.succeedingThenComplete());
  }
}
