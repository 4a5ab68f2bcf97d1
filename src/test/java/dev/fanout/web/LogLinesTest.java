package dev.fanout.web;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.fanout.api.Fanout;
import dev.fanout.api.JobOptions;
import dev.fanout.api.JobReply;
import dev.fanout.bus.Addresses;
import dev.fanout.testing.Conditions;
import dev.fanout.testing.Service;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/** The lines an operator reads: one per request (never the token), one per failed job attempt. */
@ExtendWith(VertxExtension.class)
class LogLinesTest {
  private static final String SECRET = "dashboard-secret-0123456789";
  private final HttpClient http = HttpClient.newHttpClient();
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private final List<Logger> loggers = new ArrayList<>();

  private void capture(String... names) {
    lines.start();
    for (String name : names) {
      Logger logger = (Logger) LoggerFactory.getLogger(name);
      logger.addAppender(lines);
      loggers.add(logger);
    }
  }

  @AfterEach
  void release() {
    loggers.forEach(logger -> {
      logger.detachAppender(lines);
      logger.setLevel(null);
    });
  }

  private List<String> messages() {
    synchronized (lines) {
      return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
  }

  @Test
  void each_request_is_one_access_line_with_the_token_id_never_the_token(Vertx vertx) throws Exception {
    capture("fanout.access");
    JsonObject conf = new JsonObject().put("http", new JsonObject().put("accessLog", "info"))
        .put("api", new JsonObject().put("tokens", new JsonArray().add("dash:" + SECRET + ":read")));
    int port = Service.start(vertx, conf).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
        + "/v1/queues?x=1")).header("Authorization", "Bearer " + SECRET).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/jobs/1")).build(),
        HttpResponse.BodyHandlers.ofString());
    Conditions.until(vertx, () -> messages().size() >= 2, 10_000).await();
    assertThat(messages()).anySatisfy(m -> assertThat(m).matches("GET /v1/queues 200 \\d+ ms token=dash client=127.0.0.1"))
        .anySatisfy(m -> assertThat(m).matches("GET /v1/jobs/1 401 \\d+ ms token=- client=127.0.0.1"))
        .allSatisfy(m -> assertThat(m).doesNotContain(SECRET, "x=1"));
  }

  @Test
  void a_failed_attempt_is_a_warning_with_its_error_kind(Vertx vertx) throws Exception {
    capture("dev.fanout.queue.Completer");
    Service.start(vertx, new JsonObject()).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    Fanout.registerHandler(vertx, "always-fails", JobOptions.defaults(),
        job -> Future.succeededFuture(JobReply.retry("boom"))).await();
    long id = vertx.eventBus().<JsonObject>request(Addresses.JOBS_ENQUEUE, new JsonObject().put("kind", "always-fails")
        .put("maxAttempts", 1).put("payload", new JsonObject())).await().body().getJsonArray("ids").getLong(0);
    Conditions.until(vertx, () -> !messages().isEmpty(), 20_000).await();
    assertThat(messages()).contains("job " + id + " (always-fails) attempt 1 of 1 failed, error: boom; "
        + "no attempts left: dead");
  }

  @Test
  void debug_shows_claims_dispatch_and_shard_routing(Vertx vertx) throws Exception {
    capture("dev.fanout.queue.Producer", "dev.fanout.fetch.Ownership");
    loggers.forEach(logger -> logger.setLevel(Level.DEBUG));
    Service.start(vertx, new JsonObject()).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    Fanout.registerHandler(vertx, "noted", JobOptions.defaults(),
        job -> Future.succeededFuture(JobReply.complete(new JsonObject()))).await();
    long id = vertx.eventBus().<JsonObject>request(Addresses.JOBS_ENQUEUE, new JsonObject().put("kind", "noted")
        .put("payload", new JsonObject())).await().body().getJsonArray("ids").getLong(0);
    Conditions.until(vertx, () -> messages().stream().anyMatch(m -> m.startsWith("job " + id + " (noted) attempt 1")),
        20_000).await();
    assertThat(messages()).anyMatch(m -> m.matches("claimed 1 of \\d+ noted job\\(s\\) asked in \\d+ ms; .*"))
        .anyMatch(m -> m.matches(".*/\\d+: new owner table: gained \\d+ shard\\(s\\) .*"));
  }
}
