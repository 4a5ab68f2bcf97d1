package dev.fanout.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The bridge with {@code api.tokens}: a client shows a token first, and each act needs its scope. */
@ExtendWith(VertxExtension.class)
class BridgeAccessTest {
  static final String WRITER = "writer-secret-0123456789";
  static final String OPS = "opsteam-secret-0123456789";

  private static BridgeRig rig(Vertx vertx) {
    JsonObject api = new JsonObject().put("tokens", new JsonArray()
        .add("ci:" + WRITER + ":write").add("ops:" + OPS + ":read+write+admin"));
    return BridgeRig.start(vertx, new JsonObject().put("inbound", new JsonArray().add("fanout.fetch").add("test.echo")),
        new JsonObject().put("api", api));
  }

  @Test
  void a_client_without_a_token_is_closed(Vertx vertx) {
    BridgeRig rig = rig(vertx);
    try (RawBridgeClient client = new RawBridgeClient(rig.bridgePort)) {
      client.send(new JsonObject().put("type", "send").put("address", "fanout.fetch").put("replyAddress", "java.1")
          .put("body", new JsonObject().put("url", rig.target.url("/ok"))));
      assertThat(client.closedByServer()).isTrue();
    }
    try (RawBridgeClient client = new RawBridgeClient(rig.bridgePort).withToken("a-guess-that-is-not-ours")) {
      client.register("fanout.job.work");
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void a_write_token_fetches_but_may_not_handle_jobs(Vertx vertx) {
    BridgeRig rig = rig(vertx);
    try (RawBridgeClient client = new RawBridgeClient(rig.bridgePort).withToken(WRITER)) {
      JsonObject reply = client.request("fanout.fetch", new JsonObject().put("url", rig.target.url("/ok?size=3")));
      assertThat(reply.getJsonObject("body").getInteger("status")).isEqualTo(200);
      client.register("fanout.job.work");
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void an_admin_token_handles_jobs_and_no_consumer_sees_the_token(Vertx vertx) throws Exception {
    BridgeRig rig = rig(vertx).authorized(OPS);
    CompletableFuture<JsonObject> seen = new CompletableFuture<>();
    vertx.eventBus().<JsonObject>consumer("test.echo", msg -> {
      seen.complete(new JsonObject().put("token", msg.headers().get("token")).put("body", msg.body()));
      msg.reply(new JsonObject());
    }).completion().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    try (RawBridgeClient client = new RawBridgeClient(rig.bridgePort).withToken(OPS)) {
      client.request("test.echo", new JsonObject().put("hello", 1));
      JsonObject echoed = seen.get(10, TimeUnit.SECONDS);
      assertThat(echoed.getJsonObject("body").getInteger("hello")).isEqualTo(1);
      assertThat(echoed.getString("token")).isNull();
      client.register("fanout.job.work");
      JsonObject created = rig.post("/v1/jobs", new JsonObject().put("kind", "work").put("payload", new JsonObject()));
      JsonObject job = client.nextJob();
      client.reply(job, new JsonObject().put("done", true));
      assertThat(rig.awaitBatch(created.getString("batch")).getJsonObject("counts").getLong("completed")).isEqualTo(1);
    }
  }
}
