package dev.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.testing.Conditions;
import dev.fanout.testing.Service;
import dev.fanout.testing.TargetServer;
import dev.fanout.web.IdleConnections;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code http.idleTimeoutMs} (300 ms here) closes connections that carry no request in progress
 * (none sent yet, headers still dripping in, or keep-alive after the last answer), and those whose
 * client stopped reading, over raw sockets.
 */
@ExtendWith(VertxExtension.class)
class IdleConnectionTest {
  NetClient net;
  TargetServer target;
  int port;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    net = vertx.createNetClient();
    TargetServer.start(vertx)
        .compose(t -> {
          target = t;
          return Service.start(vertx, new JsonObject()
              .put("fetch", new JsonObject().put("retries", 0).put("perHost", 50).put("maxBytes", 1 << 20))
              .put("gather", new JsonObject().put("maxRequests", 200))
              .put("http", new JsonObject().put("idleTimeoutMs", 300).put("requestTimeoutMs", 20_000)));
        })
        .onComplete(ctx.succeeding(p -> {
          port = p;
          ctx.completeNow();
        }));
  }

  /** Connects; completes with the socket, whose {@code closed} future completes when the server closes it. */
  private Future<NetSocket> connect(Promise<Void> closed) {
    return net.connect(port, "127.0.0.1").onSuccess(s -> s.closeHandler(v -> closed.tryComplete()));
  }

  @Test
  void a_connection_that_sends_nothing_is_closed(VertxTestContext ctx) {
    Promise<Void> closed = Promise.promise();
    connect(closed).compose(s -> closed.future()).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void a_client_dripping_its_headers_is_closed(Vertx vertx, VertxTestContext ctx) {
    Promise<Void> closed = Promise.promise();
    connect(closed).compose(s -> {
      s.write("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n");
      // one more header line every 100 ms: the socket is never idle, the request never complete
      long drip = vertx.setPeriodic(100, id -> s.write("X-Drip: 1\r\n"));
      return closed.future().eventually(() -> {
        vertx.cancelTimer(drip);
        return Future.succeededFuture();
      });
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void a_keep_alive_connection_is_closed_after_its_last_answer(VertxTestContext ctx) {
    Promise<Void> closed = Promise.promise();
    Buffer got = Buffer.buffer();
    connect(closed).compose(s -> {
      s.handler(got::appendBuffer);
      s.write("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      return closed.future();
    }).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertThat(got.toString()).startsWith("HTTP/1.1 200");
      ctx.completeNow();
    })));
  }

  @Test
  void a_client_that_stops_reading_a_stream_is_closed_and_its_gather_cancelled(Vertx vertx, VertxTestContext ctx) {
    JsonArray requests = new JsonArray();
    for (int i = 0; i < 200; i++) {
      requests.add(new JsonObject().put("url", target.url("/ok?size=500000&i=" + i)).put("capture", "base64"));
    }
    String body = new JsonObject().put("requests", requests).put("concurrency", 4).encode();
    Promise<Void> closed = Promise.promise();
    Buffer got = Buffer.buffer();
    NetSocket[] socket = new NetSocket[1];
    connect(closed).compose(s -> {
      socket[0] = s;
      s.handler(got::appendBuffer);
      s.pause(); // reads nothing: the server's write queue fills and stays full
      s.write("POST /v1/fetch HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/x-ndjson\r\n"
          + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
      // the server's close cannot reach a client that does not read: wait for the server to count it
      return Conditions.until(vertx, () -> IdleConnections.stalledReadersClosed(vertx) > 0, 10_000);
    }).compose(v -> {
      socket[0].resume(); // what was sent before the close, then the close itself
      return closed.future();
    }).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertThat(got.toString()).startsWith("HTTP/1.1 200").doesNotContain("\"stats\"");
      assertThat(target.requests()).isLessThan(200);
      ctx.completeNow();
    })));
  }
}
