package dev.fanout.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.ErrorKind;
import dev.fanout.testing.Fetchers;
import dev.fanout.testing.TargetServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class RedirectTest {

  @Test
  void follows_a_chain(Vertx vertx, VertxTestContext ctx) {
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, new JsonObject())
            .compose(id -> Fetchers.get(vertx, t.url("/redirect?n=3"))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.ok()).isTrue();
          assertThat(r.redirects()).isEqualTo(3);
          assertThat(r.attempts()).isEqualTo(1);
          assertThat(r.finalUrl()).endsWith("/redirect?n=0");
          assertThat(r.url()).endsWith("/redirect?n=3");
          ctx.completeNow();
        })));
  }

  @Test
  void stops_a_loop_at_the_limit(Vertx vertx, VertxTestContext ctx) {
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, new JsonObject())
            .compose(id -> Fetchers.get(vertx, t.url("/loop")))
            .map(r -> {
              ctx.verify(() -> {
                assertThat(r.errorKind()).isEqualTo(ErrorKind.TOO_MANY_REDIRECTS);
                assertThat(r.status()).isEqualTo(302);
                assertThat(r.redirects()).isEqualTo(5);
                assertThat(t.requests()).isEqualTo(6);
              });
              return r;
            }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void does_not_follow_when_asked_not_to(Vertx vertx, VertxTestContext ctx) {
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, new JsonObject())
            .compose(id -> Fetchers.fetch(vertx,
                new JsonObject().put("url", t.url("/redirect?n=2")).put("followRedirects", false))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.status()).isEqualTo(302);
          assertThat(r.errorKind()).isEqualTo(ErrorKind.HTTP_STATUS);
          assertThat(r.headers().getString("location")).isEqualTo("/redirect?n=1");
          ctx.completeNow();
        })));
  }

  @Test
  void follows_to_another_host_through_its_owner(Vertx vertx, VertxTestContext ctx) {
    // Many hosts make it certain some hops cross to a shard owned by another fetcher.
    TargetServer.start(vertx).compose(a -> TargetServer.start(vertx).compose(b ->
        Fetchers.deploy(vertx, Fetchers.fetch("instances", 4))
            .compose(id -> Fetchers.fetch(vertx, new JsonObject()
                .put("url", a.url("/to?code=303&url=" + URLEncoder.encode(b.url("/echo"), StandardCharsets.UTF_8)))
                .put("method", "POST").put("body", "x").put("headers", new JsonObject().put("Authorization", "secret"))
                .put("capture", "text")))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.ok()).isTrue();
          assertThat(r.redirects()).isEqualTo(1);
          JsonObject echo = new JsonObject(r.body());
          assertThat(echo.getString("method")).isEqualTo("GET");
          assertThat(echo.getString("body")).isEmpty();
          assertThat(echo.getJsonObject("headers").containsKey("authorization")).isFalse();
          ctx.completeNow();
        })));
  }
}
