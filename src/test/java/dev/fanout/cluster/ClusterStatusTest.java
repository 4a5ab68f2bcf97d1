package dev.fanout.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.testing.Service;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code GET /v1/cluster} of a node that is not clustered: this node alone. */
@ExtendWith(VertxExtension.class)
class ClusterStatusTest {
  WebClient web;

  @Test
  void not_clustered_lists_this_node_alone(Vertx vertx, VertxTestContext ctx) {
    web = WebClient.create(vertx);
    Service.start(vertx, new JsonObject().put("fetch", new JsonObject().put("instances", 3)))
        .compose(port -> web.get(port, "127.0.0.1", "/v1/cluster").send())
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.statusCode()).isEqualTo(200);
          JsonObject status = r.bodyAsJsonObject();
          assertThat(status.getBoolean("clustered")).isFalse();
          assertThat(status.getJsonArray("nodes")).hasSize(1);
          JsonObject node = status.getJsonArray("nodes").getJsonObject(0);
          assertThat(node.getString("id")).isEqualTo(Membership.nodeId(vertx)).isEqualTo(status.getString("self"));
          assertThat(node.getBoolean("self")).isTrue();
          assertThat(node.getBoolean("reachable")).isTrue();
          assertThat(node.getJsonObject("kinds").fieldNames()).contains("echo", "fetch");
          // three fetchers own the 256 host shards between them, each some
          List<Integer> shards = node.getJsonArray("fetchers").stream()
              .map(f -> ((JsonObject) f).getInteger("shards")).toList();
          assertThat(shards).hasSize(3).allMatch(n -> n > 0);
          assertThat(shards.stream().mapToInt(Integer::intValue).sum()).isEqualTo(256);
          assertThat(node.getJsonObject("jobs").getInteger("running")).isZero();
          ctx.completeNow();
        })));
  }
}
