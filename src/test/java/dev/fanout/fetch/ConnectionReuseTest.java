package dev.fanout.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.FetchResult;
import dev.fanout.testing.Fetchers;
import dev.fanout.testing.TargetServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The fetcher's own keep-alive pool ({@link Connections}): reuse, and when not to. */
@ExtendWith(VertxExtension.class)
class ConnectionReuseTest {

  /** Fetches {@code url} {@code n} times, one after another. */
  private static Future<List<FetchResult>> oneByOne(Vertx vertx, String url, int n) {
    List<FetchResult> out = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < n; i++) {
      chain = chain.compose(v -> Fetchers.get(vertx, url).map(r -> {
        out.add(r);
        return null;
      }));
    }
    return chain.map(v -> out);
  }

  /**
   * Fetches {@code pathAndQuery} {@code n} times one after another (no retries, so a request sent
   * on a closing connection would show as a failure) and checks every fetch succeeded over
   * exactly {@code connections} connections.
   */
  private static void fetchInTurn(Vertx vertx, VertxTestContext ctx, String pathAndQuery, int n, int connections) {
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, Fetchers.fetch("retries", 0))
            .compose(id -> oneByOne(vertx, t.url(pathAndQuery), n))
            .map(rs -> {
              ctx.verify(() -> {
                assertThat(rs).hasSize(n).allMatch(FetchResult::ok);
                assertThat(t.connections()).isEqualTo(connections);
              });
              return rs;
            }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void fetches_of_one_host_one_after_another_share_one_connection(Vertx vertx, VertxTestContext ctx) {
    fetchInTurn(vertx, ctx, "/ok", 5, 1);
  }

  @Test
  void a_connection_the_server_closes_is_not_reused(Vertx vertx, VertxTestContext ctx) {
    fetchInTurn(vertx, ctx, "/ok?close=1", 3, 3);
  }

  @Test
  void a_short_server_keep_alive_timeout_is_respected(Vertx vertx, VertxTestContext ctx) {
    // Keep-Alive: timeout=1 means the server may close it within a second: not worth reusing
    fetchInTurn(vertx, ctx, "/ok?keepalive=1", 3, 3);
  }

  @Test
  void a_longer_server_keep_alive_timeout_still_reuses(Vertx vertx, VertxTestContext ctx) {
    fetchInTurn(vertx, ctx, "/ok?keepalive=5", 3, 1);
  }

  @Test
  void an_aborted_response_closes_its_connection(Vertx vertx, VertxTestContext ctx) {
    // the byte cap ends the first fetch mid-body; its connection must not carry the second
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, Fetchers.fetch("retries", 0, "maxBytes", 100))
            .compose(id -> Fetchers.get(vertx, t.url("/endless")))
            .compose(first -> Fetchers.get(vertx, t.url("/ok")).map(second -> {
              ctx.verify(() -> {
                assertThat(first.ok()).isFalse();
                assertThat(second.ok()).isTrue();
                assertThat(t.connections()).isEqualTo(2);
              });
              return second;
            })))
        .onComplete(ctx.succeedingThenComplete());
  }

  /** A raw server that answers every request with {@code response} and then closes. */
  private static Future<NetServer> closingServer(Vertx vertx, String response, AtomicInteger connections) {
    return vertx.createNetServer().connectHandler(socket -> {
      connections.incrementAndGet();
      StringBuilder head = new StringBuilder();
      socket.handler(data -> {
        head.append(data.toString());
        if (head.indexOf("\r\n\r\n") >= 0) {
          socket.end(Buffer.buffer(response));
        }
      });
    }).listen(0, "127.0.0.1");
  }

  private static List<JsonObject> specs(String url, int n) {
    List<JsonObject> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new JsonObject().put("url", url));
    }
    return out;
  }

  /**
   * Fetches a {@link #closingServer} that sends {@code response} {@code n} times, one at a time
   * for the host, so each next fetch starts the moment the last one ends, while its connection is
   * closing. Every fetch must succeed in one attempt (no retries are allowed) with
   * {@code bodyBytes} bytes; {@code connectionsCheck} gets the number of connections.
   */
  private static void fetchFromClosingServer(Vertx vertx, VertxTestContext ctx, String response, int n,
      long bodyBytes, Consumer<Integer> connectionsCheck) {
    AtomicInteger connections = new AtomicInteger();
    closingServer(vertx, response, connections)
        .compose(server -> Fetchers.deploy(vertx, Fetchers.fetch("retries", 0, "perHost", 1))
            .compose(id -> Fetchers.all(vertx, specs("http://127.0.0.1:" + server.actualPort() + "/", n))))
        .onComplete(ctx.succeeding(rs -> ctx.verify(() -> {
          assertThat(rs).hasSize(n).allSatisfy(r -> {
            assertThat(r.ok()).as("%s", r.error()).isTrue();
            assertThat(r.attempts()).isEqualTo(1);
            assertThat(r.bytes()).isEqualTo(bodyBytes);
          });
          connectionsCheck.accept(connections.get());
          ctx.completeNow();
        })));
  }

  @Test
  void an_http_1_0_server_that_closes_after_each_response_costs_no_attempt(Vertx vertx, VertxTestContext ctx) {
    fetchFromClosingServer(vertx, ctx, "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi", 4, 2,
        connections -> assertThat(connections).isBetween(4, 8));
  }

  @Test
  void a_body_that_ends_with_the_connection_is_not_kept_alive(Vertx vertx, VertxTestContext ctx) {
    fetchFromClosingServer(vertx, ctx, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nhello", 3, 5,
        connections -> assertThat(connections).isEqualTo(3));
  }

  @Test
  void keep_alive_header_timeouts_parse() {
    assertThat(Connections.keepAliveMs("timeout=5, max=100")).isEqualTo(5000);
    assertThat(Connections.keepAliveMs("max=100,Timeout=2")).isEqualTo(2000);
    assertThat(Connections.keepAliveMs("max=100")).isEqualTo(-1);
    assertThat(Connections.keepAliveMs("timeout=soon")).isEqualTo(-1);
    assertThat(Connections.keepAliveMs(null)).isEqualTo(-1);
  }
}
