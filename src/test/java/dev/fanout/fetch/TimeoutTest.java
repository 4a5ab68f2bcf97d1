package dev.fanout.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.ErrorKind;
import dev.fanout.testing.Conditions;
import dev.fanout.testing.Fetchers;
import dev.fanout.testing.TargetServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class TimeoutTest {

  @Test
  void idle_timeout_ends_a_silent_response(Vertx vertx, VertxTestContext ctx) {
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, Fetchers.fetch("idleTimeoutMs", 300, "retries", 0))
            .compose(id -> Fetchers.get(vertx, t.url("/hang"))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.errorKind()).isEqualTo(ErrorKind.TIMEOUT);
          assertThat(r.error().message()).contains("idle");
          ctx.completeNow();
        })));
  }

  @Test
  void idle_timeout_counts_from_the_last_byte(Vertx vertx, VertxTestContext ctx) {
    // 8 bytes 100 ms apart outlast the 300 ms idle timeout; the silence after them does not
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, Fetchers.fetch("idleTimeoutMs", 300, "retries", 0))
            .compose(id -> Fetchers.get(vertx, t.url("/drip?ms=100&bytes=8&stall=1"))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.errorKind()).isEqualTo(ErrorKind.TIMEOUT);
          assertThat(r.error().message()).contains("idle timeout of 300 ms");
          assertThat(r.status()).isEqualTo(200);
          assertThat(r.bytes()).isEqualTo(8);
          ctx.completeNow();
        })));
  }

  @Test
  void attempt_timeout_ends_a_dripping_body(Vertx vertx, VertxTestContext ctx) {
    // a byte every 50 ms never trips the idle timeout; the attempt limit ends it
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, Fetchers.fetch("idleTimeoutMs", 5000, "retries", 0))
            .compose(id -> Fetchers.fetch(vertx,
                new JsonObject().put("url", t.url("/drip?ms=50")).put("timeoutMs", 400))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.errorKind()).isEqualTo(ErrorKind.TIMEOUT);
          assertThat(r.error().message()).contains("attempt took longer than 400 ms");
          ctx.completeNow();
        })));
  }

  @Test
  void deadline_bounds_all_attempts_together(Vertx vertx, VertxTestContext ctx) {
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, Fetchers.fetch("backoffBaseMs", 1, "backoffMaxMs", 1))
            .compose(id -> Fetchers.fetch(vertx, new JsonObject().put("url", t.url("/hang"))
                .put("timeoutMs", 200).put("retries", 50).put("deadlineMs", 700))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.errorKind()).isEqualTo(ErrorKind.TIMEOUT);
          assertThat(r.attempts()).isBetween(2, 5);
          ctx.completeNow();
        })));
  }

  @Test
  void deadline_covers_time_spent_queued(Vertx vertx, VertxTestContext ctx) {
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, Fetchers.fetch("perHost", 1, "retries", 0))
            .compose(id -> {
              Fetchers.fetch(vertx, new JsonObject().put("url", t.url("/hang")).put("timeoutMs", 5000));
              return Conditions.until(vertx, () -> t.requests() == 1, 5_000);
            })
            .compose(v -> Fetchers.fetch(vertx, new JsonObject().put("url", t.url("/ok")).put("deadlineMs", 300)))
            .map(r -> {
              ctx.verify(() -> {
                assertThat(r.errorKind()).isEqualTo(ErrorKind.TIMEOUT);
                assertThat(r.error().message()).contains("deadline");
                assertThat(t.arrivals("/ok")).isEmpty();
              });
              return r;
            }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void connect_timeout_when_the_peer_never_accepts(Vertx vertx, VertxTestContext ctx) throws Exception {
    // A listener with a full accept queue: the kernel drops further SYNs, so connect hangs.
    ServerSocket full = new ServerSocket();
    full.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 1);
    List<Socket> fillers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Socket s = new Socket();
      try {
        s.connect(full.getLocalSocketAddress(), 200);
        fillers.add(s);
      } catch (IOException e) {
        s.close();
        break;
      }
    }
    Fetchers.deploy(vertx, Fetchers.fetch("connectTimeoutMs", 300, "retries", 0))
        .compose(id -> Fetchers.get(vertx, "http://127.0.0.1:" + full.getLocalPort() + "/"))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          for (Socket s : fillers) {
            s.close();
          }
          full.close();
          assertThat(r.errorKind()).isEqualTo(ErrorKind.TIMEOUT);
          assertThat(r.error().message()).contains("connect");
          ctx.completeNow();
        })));
  }
}
