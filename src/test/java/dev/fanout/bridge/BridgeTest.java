package dev.fanout.bridge;

import static dev.fanout.bridge.BridgeRig.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.testing.Service;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The bridge of a real service, spoken to over a plain socket ({@link RawBridgeClient}): the same
 * protocol as the Python client of {@code BridgePythonTest}, so a machine without python3 still
 * checks it. The client blocks on the test's thread; the service runs on Vert.x's.
 */
@ExtendWith(VertxExtension.class)
class BridgeTest {

  @Test
  void fetch_over_the_bridge_returns_the_result(Vertx vertx) {
    BridgeRig rig = BridgeRig.start(vertx, new JsonObject());
    try (RawBridgeClient client = new RawBridgeClient(rig.bridgePort)) {
      JsonObject reply = client.request("fanout.fetch", new JsonObject().put("url", rig.target.url("/ok?size=7")));
      assertThat(reply.getString("type")).isEqualTo("message");
      assertThat(reply.getString("address")).isEqualTo("java.1");
      assertThat(reply.getJsonObject("body").getInteger("status")).isEqualTo(200);
      assertThat(reply.getJsonObject("body").getLong("bytes")).isEqualTo(7);
    }
  }

  @Test
  void handler_completes_jobs_and_a_failed_attempt_is_retried(Vertx vertx) {
    BridgeRig rig = BridgeRig.start(vertx, new JsonObject());
    try (RawBridgeClient client = new RawBridgeClient(rig.bridgePort)) {
      client.register("fanout.job.work");
      JsonArray jobs = new JsonArray();
      for (int n = 1; n <= 3; n++) {
        jobs.add(new JsonObject().put("kind", "work").put("payload", new JsonObject().put("n", n)));
      }
      JsonObject created = rig.post("/v1/jobs", new JsonObject().put("jobs", jobs));
      long failing = created.getJsonArray("ids").getLong(2);
      for (int handled = 0; handled < 4; handled++) { // three jobs, the last twice
        JsonObject msg = client.nextJob();
        JsonObject job = msg.getJsonObject("body");
        if (job.getLong("id") == failing && job.getInteger("attempt") == 1) {
          client.fail(msg, "asked to fail");
        } else {
          client.reply(msg, new JsonObject().put("doubled", 2 * job.getJsonObject("payload").getInteger("n")));
        }
      }
      assertThat(rig.awaitBatch(created.getString("batch")).getJsonObject("counts").getLong("completed"))
          .isEqualTo(3);
      JsonObject retried = rig.get("/v1/jobs/" + failing);
      assertThat(retried.getInteger("attempt")).isEqualTo(2);
      assertThat(retried.getJsonObject("result").getInteger("doubled")).isEqualTo(6);
      assertThat(retried.getJsonArray("errors")).hasSize(1);
      assertThat(retried.getJsonArray("errors").getJsonObject(0).getString("message")).contains("asked to fail");
    }
  }

  @Test
  void an_address_not_permitted_is_refused(Vertx vertx) {
    BridgeRig rig = BridgeRig.start(vertx, new JsonObject());
    try (RawBridgeClient client = new RawBridgeClient(rig.bridgePort)) {
      JsonObject cancel = client.request("fanout.jobs.cancel", new JsonObject().put("id", 1));
      assertThat(cancel.getString("type")).isEqualTo("err");
      assertThat(cancel.getString("message")).isEqualTo("access_denied");
      client.register("fanout.job.not-listed");
      assertThat(client.read().getString("message")).isEqualTo("access_denied");
      client.register("fanout.job.work");
      client.register("fanout.job.work"); // twice on one connection: the bridge would leak the first consumer
      assertThat(client.read().getString("message")).isEqualTo("blocked by bridgeEvent handler");
      JsonObject ok = client.request("fanout.jobs.get", new JsonObject().put("id", 424242));
      assertThat(ok.getString("type")).isEqualTo("err");
      assertThat(ok.getInteger("failureCode")).isEqualTo(404); // permitted: fanout answered
    }
  }

  @Test
  void a_client_that_leaves_releases_its_running_jobs_at_once(Vertx vertx) {
    BridgeRig rig = BridgeRig.start(vertx, new JsonObject());
    try (RawBridgeClient second = new RawBridgeClient(rig.bridgePort)) {
      JsonObject created;
      long id;
      try (RawBridgeClient first = new RawBridgeClient(rig.bridgePort)) {
        first.register("fanout.job.slow");
        created = rig.post("/v1/jobs", new JsonObject().put("kind", "slow"));
        id = created.getJsonArray("ids").getLong(0);
        JsonObject held = first.nextJob().getJsonObject("body");
        assertThat(held.getLong("id")).isEqualTo(id);
        assertThat(held.getInteger("attempt")).isEqualTo(1);
        second.register("fanout.job.slow"); // the kind (one at a time) is busy with the first's job
      } // gone without answering: its attempt had two minutes, its lease one
      JsonObject again = second.nextJob(); // within the client's 30 s read timeout, well before either
      assertThat(again.getJsonObject("body").getLong("id")).isEqualTo(id);
      assertThat(again.getJsonObject("body").getInteger("attempt")).isEqualTo(1); // no attempt used
      second.reply(again, new JsonObject().put("done", true));
      assertThat(rig.awaitBatch(created.getString("batch")).getJsonObject("counts").getLong("completed"))
          .isEqualTo(1);
      JsonObject done = rig.get("/v1/jobs/" + id);
      assertThat(done.getInteger("attempt")).isEqualTo(1);
      assertThat(done.getJsonArray("errors")).isEmpty();
    }
  }

  @Test
  void a_job_a_client_leaves_unanswered_times_out_and_runs_again(Vertx vertx) {
    BridgeRig rig = BridgeRig.start(vertx, new JsonObject());
    try (RawBridgeClient client = new RawBridgeClient(rig.bridgePort)) {
      client.register("fanout.job.quick");
      JsonObject created = rig.post("/v1/jobs", new JsonObject().put("kind", "quick"));
      assertThat(client.nextJob().getJsonObject("body").getInteger("attempt")).isEqualTo(1); // not answered
      JsonObject again = client.nextJob();
      assertThat(again.getJsonObject("body").getInteger("attempt")).isEqualTo(2);
      client.reply(again, new JsonObject().put("late", false));
      rig.awaitBatch(created.getString("batch"));
      JsonObject job = rig.get("/v1/jobs/" + created.getJsonArray("ids").getLong(0));
      assertThat(job.getString("state")).isEqualTo("completed");
      assertThat(job.getJsonArray("errors").getJsonObject(0).getString("kind")).isEqualTo("timeout");
    }
  }

  @Test
  void a_frame_over_the_cap_or_of_no_known_type_closes_the_connection(Vertx vertx) {
    BridgeRig rig = BridgeRig.start(vertx, new JsonObject().put("maxFrameBytes", 4096));
    try (RawBridgeClient client = new RawBridgeClient(rig.bridgePort)) {
      client.send(new JsonObject().put("type", "ping"));
      assertThat(client.read().getString("type")).isEqualTo("pong");
      client.writeRaw(4097, new byte[16]); // announces one byte too many; the rest never needs to come
      assertThat(client.read().getString("message")).isEqualTo("frame_too_large");
      assertThat(client.closedByServer()).isTrue();
    }
    try (RawBridgeClient other = new RawBridgeClient(rig.bridgePort)) {
      other.send(new JsonObject().put("type", "ping").put("pad", "x".repeat(4000)));
      assertThat(other.read().getString("type")).isEqualTo("pong"); // under the cap: fine
      other.send(new JsonObject().put("type", "bogus").put("address", "fanout.fetch"));
      assertThat(other.read().getString("message")).isEqualTo("invalid_frame"); // the bridge's parser threw
      assertThat(other.closedByServer()).isTrue();
    }
  }

  @Test
  void the_bridge_is_off_by_default(Vertx vertx) {
    await(Service.start(vertx, new JsonObject()));
    assertThat(BridgeVerticle.boundPort(vertx)).isEqualTo(-1);
  }

  @Test
  void a_config_that_permits_everything_refuses_to_start(Vertx vertx) {
    Map<String, JsonObject> refused = new HashMap<>();
    refused.put("bridge.inbound", new JsonObject().put("inbound", new JsonArray().add("*")));
    refused.put("bridge.outbound", new JsonObject().put("outbound", new JsonArray().add("fanout.*")));
    refused.forEach((key, bridge) -> assertThatThrownBy(() -> await(Service.start(vertx,
        new JsonObject().put("bridge", bridge.put("port", BridgeRig.freePort())))))
        .hasMessageContaining(key));
  }
}
