package dev.fanout.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.ErrorKind;
import dev.fanout.testing.Fetchers;
import dev.fanout.testing.TargetServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class BodyCapTest {

  @Test
  void endless_body_stops_at_the_cap(Vertx vertx, VertxTestContext ctx) {
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, new JsonObject())
            .compose(id -> Fetchers.fetch(vertx,
                new JsonObject().put("url", t.url("/endless")).put("maxBytes", 200_000))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.errorKind()).isEqualTo(ErrorKind.TOO_LARGE);
          assertThat(r.ok()).isFalse();
          assertThat(r.status()).isEqualTo(200);
          assertThat(r.bytes()).isGreaterThan(200_000);
          assertThat(r.sha256()).isNull();
          assertThat(r.attempts()).isEqualTo(1);
          ctx.completeNow();
        })));
  }

  @Test
  void content_length_over_the_cap_is_refused_before_the_body(Vertx vertx, VertxTestContext ctx) {
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, Fetchers.fetch("maxBytes", 1000))
            .compose(id -> Fetchers.get(vertx, t.url("/big?size=5000"))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.errorKind()).isEqualTo(ErrorKind.TOO_LARGE);
          assertThat(r.error().message()).contains("Content-Length 5000");
          ctx.completeNow();
        })));
  }

  @Test
  void body_exactly_at_the_cap_is_fine_and_captured(Vertx vertx, VertxTestContext ctx) {
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, new JsonObject())
            .compose(id -> Fetchers.fetch(vertx, new JsonObject().put("url", t.url("/ok?size=1000"))
                .put("maxBytes", 1000).put("capture", "text"))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.ok()).isTrue();
          assertThat(r.bytes()).isEqualTo(1000);
          assertThat(r.body()).hasSize(1000);
          ctx.completeNow();
        })));
  }
}
