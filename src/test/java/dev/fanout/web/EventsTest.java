package dev.fanout.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.FanoutVerticle;
import dev.fanout.api.Fanout;
import dev.fanout.api.JobOptions;
import dev.fanout.api.JobReply;
import dev.fanout.testing.Conditions;
import dev.fanout.testing.Service;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code GET /v1/events} of the real service (real PostgreSQL), read by a real HTTP client: the
 * first tick, the events of a batch of jobs, a client that stops reading, the client limit, tokens,
 * and a stopping service. The clients block on the test's thread, each wait with a deadline.
 */
@ExtendWith(VertxExtension.class)
class EventsTest {
  private static final String READ = "reader-secret-0123456789";
  private static final long WAIT_MS = 30_000;
  private final HttpClient http = HttpClient.newHttpClient();
  private int port;

  private void start(Vertx vertx, JsonObject overrides) throws Exception {
    port = await(Service.start(vertx, overrides));
  }

  /**
   * The graceful stop before the extension closes Vert.x: closing it alone leaves some of the
   * service's PostgreSQL connections open for the test JVM's life (a few per test, which the whole
   * suite adds up towards the tests' server's max_connections).
   */
  @AfterEach
  void stopService(Vertx vertx) throws Exception {
    await(FanoutVerticle.drain(vertx));
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private HttpResponse<String> call(String method, String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void a_client_gets_retry_and_a_tick_at_once_then_a_tick_each_tickMs(Vertx vertx) throws Exception {
    start(vertx, new JsonObject());
    try (SseClient sse = SseClient.open(port, null)) {
      assertThat(sse.response.statusCode()).isEqualTo(200);
      assertThat(sse.response.headers().firstValue("Content-Type")).contains("text/event-stream");
      assertThat(sse.response.headers().firstValue("Cache-Control")).contains("no-store");
      assertThat(sse.response.headers().firstValue("X-Accel-Buffering")).contains("no");
      SseClient.Event first = sse.next("tick", WAIT_MS);
      assertThat(sse.lines().get(0)).isEqualTo("retry: 2000");
      JsonObject tick = first.data();
      assertThat(tick.getString("at")).isNotBlank();
      assertThat(tick.getJsonObject("fetches").fieldNames())
          .containsExactlyInAnyOrder("perSecond", "completed", "inFlight", "queued");
      assertThat(tick.getJsonObject("jobs").fieldNames())
          .containsExactlyInAnyOrder("completedPerSecond", "failedPerSecond", "enqueuedPerSecond");
      assertThat(tick.getJsonArray("fetchers")).isNotEmpty();
      assertThat(tick.getJsonArray("fetchers").getJsonObject(0).getString("id")).isNotBlank();
      // each fetcher's own counts (the same counters as its /metrics gauges), none running yet
      assertThat(tick.getJsonArray("fetchers").getJsonObject(0).getInteger("inFlight")).isZero();
      assertThat(tick.getJsonArray("fetchers").getJsonObject(0).getInteger("queued")).isZero();
      assertThat(tick.getJsonArray("queues").stream().map(q -> ((JsonObject) q).getString("kind")))
          .contains("echo", "fetch"); // the built-in kinds, served here, as GET /v1/queues lists them
      SseClient.Event second = sse.next("tick", WAIT_MS);
      assertThat(second.id()).isGreaterThan(first.id());
    }
  }

  @Test
  void a_batch_streams_enqueued_attempts_with_failures_and_batch_events_until_done(Vertx vertx) throws Exception {
    start(vertx, new JsonObject());
    await(Fanout.registerHandler(vertx, "flaky", JobOptions.defaults(), job ->
        Future.succeededFuture(job.payload().getBoolean("fail", false)
            ? JobReply.retry("boom " + "x".repeat(300)) : JobReply.complete(new JsonObject()))));
    try (SseClient sse = SseClient.open(port, null)) {
      sse.next("tick", WAIT_MS); // the stream is listening
      JsonArray jobs = new JsonArray();
      for (int i = 0; i < 5; i++) {
        jobs.add(new JsonObject().put("kind", "flaky").put("maxAttempts", 1)
            .put("payload", new JsonObject().put("fail", i < 2)));
      }
      HttpResponse<String> enqueued = call("POST", "/v1/jobs", new JsonObject().put("jobs", jobs).encode());
      assertThat(enqueued.statusCode()).isEqualTo(201);
      String batch = new JsonObject(enqueued.body()).getString("batch");

      JsonObject e = sse.next("enqueued", WAIT_MS).data();
      assertThat(e).isEqualTo(new JsonObject().put("type", "enqueued").put("count", 5)
          .put("kinds", new JsonObject().put("flaky", 5)).put("batch", batch));
      int completed = 0;
      List<JsonObject> failures = new ArrayList<>();
      while (completed + failures.size() < 5) {
        JsonObject a = sse.next("attempts", WAIT_MS).data();
        assertThat(a.getJsonObject("batches").getInteger(batch)).isPositive();
        completed += a.getInteger("completed");
        a.getJsonArray("failures").forEach(f -> failures.add((JsonObject) f));
        assertThat(a.getJsonArray("failures")).hasSize(a.getInteger("failed"));
      }
      assertThat(completed).isEqualTo(3);
      assertThat(failures).hasSize(2).allSatisfy(f -> {
        assertThat(f.getString("kind")).isEqualTo("flaky");
        assertThat(f.getString("batch")).isEqualTo(batch);
        assertThat(f.getInteger("attempt")).isEqualTo(1);
        assertThat(f.getString("state")).isEqualTo("discarded");
        assertThat(f.getString("errorKind")).isEqualTo("error");
        assertThat(f.getString("error")).startsWith("boom xx").hasSize(200);
        assertThat(f.getLong("id")).isPositive();
      });
      JsonObject done = sse.next(ev -> ev.event().equals("batch") && ev.data().getBoolean("done"), WAIT_MS).data();
      assertThat(done.getString("id")).isEqualTo(batch);
      assertThat(done.getInteger("total")).isEqualTo(5);
      assertThat(done.getJsonObject("counts"))
          .isEqualTo(new JsonObject().put("completed", 3).put("discarded", 2));
    }
  }

  @Test
  void a_client_that_stops_reading_is_disconnected_and_the_server_stays_healthy(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("events", new JsonObject().put("tickMs", 10).put("maxBufferedBytes", 1024)));
    JsonArray many = new JsonArray(); // ticks list the queues: a hundred kinds make each one large
    for (int i = 0; i < 100; i++) {
      many.add(new JsonObject().put("kind", String.format("wide-kind-%03d-", i) + "k".repeat(48))
          .put("payload", new JsonObject()));
    }
    assertThat(call("POST", "/v1/jobs", new JsonObject().put("jobs", many).encode()).statusCode()).isEqualTo(201);
    long before = EventStream.dropped(vertx);
    try (Socket stalled = new Socket()) {
      stalled.setReceiveBufferSize(1024);
      stalled.connect(new InetSocketAddress("127.0.0.1", port));
      OutputStream out = stalled.getOutputStream();
      out.write("GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      // never read: the server's backlog grows past events.maxBufferedBytes and it drops the client
      await(Conditions.until(vertx, () -> EventStream.dropped(vertx) > before, 60_000));
      stalled.setSoTimeout((int) WAIT_MS);
      assertThat(readToEnd(stalled.getInputStream())).as("the server closed the connection").isTrue();
    }
    assertThat(call("GET", "/health/ready", null).statusCode()).isEqualTo(200);
    try (SseClient sse = SseClient.open(port, null)) {
      assertThat(sse.next("tick", WAIT_MS).data().getJsonArray("queues")).hasSizeGreaterThan(100);
    }
  }

  /** Reads what the server sent until it closed the connection: true at the end (or a reset). */
  private static boolean readToEnd(InputStream in) {
    byte[] buf = new byte[65536];
    try {
      while (in.read(buf) >= 0) {
        // what was sent before the close
      }
      return true;
    } catch (IOException e) {
      return e.getMessage() != null && e.getMessage().contains("reset");
    }
  }

  @Test
  void a_client_over_maxClients_is_a_503_problem(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("http", new JsonObject().put("instances", 1))
        .put("events", new JsonObject().put("maxClients", 1)));
    try (SseClient first = SseClient.open(port, null)) {
      first.next("tick", WAIT_MS);
      HttpResponse<String> second = call("GET", "/v1/events", null);
      assertThat(second.statusCode()).isEqualTo(503);
      assertThat(second.headers().firstValue("Content-Type")).contains(Problem.TYPE);
      assertThat(new JsonObject(second.body()).getString("detail")).contains("events.maxClients");
    }
  }

  @Test
  void with_tokens_a_stream_needs_one_with_read(Vertx vertx) throws Exception {
    JsonArray tokens = new JsonArray().add("dash:" + READ + ":read");
    start(vertx, new JsonObject().put("api", new JsonObject().put("tokens", tokens)));
    try (SseClient none = SseClient.open(port, null)) {
      assertThat(none.response.statusCode()).isEqualTo(401);
    }
    try (SseClient reader = SseClient.open(port, READ)) {
      assertThat(reader.response.statusCode()).isEqualTo(200);
      assertThat(reader.next("tick", WAIT_MS).data().getJsonArray("fetchers")).isNotEmpty();
    }
  }

  @Test
  void a_stopping_service_ends_its_streams_at_once(Vertx vertx) throws Exception {
    // a stream left open would hold the web's stop for the whole grace period, beyond this test's waits
    start(vertx, new JsonObject().put("http", new JsonObject().put("shutdownGraceMs", 600_000)));
    try (SseClient sse = SseClient.open(port, null)) {
      sse.next("tick", WAIT_MS);
      Future<Void> stopped = FanoutVerticle.drainWeb(vertx);
      assertThat(sse.ends(WAIT_MS)).as("the stream ended").isTrue();
      await(stopped);
    }
  }
}
