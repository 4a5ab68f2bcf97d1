package dev.fanout.bus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.gather.GatherVerticle;
import dev.fanout.queue.JobsVerticle;
import dev.fanout.testing.Fetchers;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import java.io.IOException;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A bus client gets the failing field as data, not only inside the message text. */
@ExtendWith(VertxExtension.class)
class FailureFieldTest {
  @Test
  void jobs_and_gather_fail_bad_input_with_its_field_as_data(Vertx vertx, VertxTestContext ctx) throws IOException {
    int dead;
    try (ServerSocket s = new ServerSocket(0)) {
      dead = s.getLocalPort();
    }
    JsonObject cfg = Fetchers.config(new JsonObject());
    JobsVerticle jobs = new JobsVerticle(PgBuilder.pool().connectingTo(new PgConnectOptions().setHost("127.0.0.1")
        .setPort(dead).setUser("x").setPassword("x").setDatabase("x")).using(vertx).build());
    JsonObject badJob = new JsonObject().put("kind", "echo").put("payload", new JsonObject().put("a: b", "x\u0000"));
    JsonObject badGather = new JsonObject().put("urls", new JsonArray().add("http://127.0.0.1:1/").add("ftp://x/"));
    vertx.deployVerticle(jobs, new DeploymentOptions().setConfig(cfg))
        .compose(id -> vertx.deployVerticle(GatherVerticle.class, new DeploymentOptions().setConfig(cfg)))
        .compose(id -> failure(vertx, Addresses.JOBS_ENQUEUE, badJob))
        .compose(job -> failure(vertx, Addresses.GATHER, badGather).map(gather -> new Throwable[] {job, gather}))
        .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
          assertThat(both[0]).isInstanceOf(BusFailure.class);
          BusFailure job = (BusFailure) both[0];
          assertThat(job.failureCode()).isEqualTo(400);
          assertThat(job.field()).isEqualTo("payload.a: b");
          assertThat(job.getMessage()).startsWith("payload.a: b: must not contain NUL");
          assertThat(both[1]).isInstanceOf(BusFailure.class);
          BusFailure gather = (BusFailure) both[1];
          assertThat(gather.failureCode()).isEqualTo(400);
          assertThat(gather.field()).isEqualTo("urls[1]");
          assertThat(gather.getMessage()).startsWith("urls[1]: ");
          ctx.completeNow();
        })));
  }

  private static Future<Throwable> failure(Vertx vertx, String address, JsonObject body) {
    return vertx.eventBus().request(address, body).map(m -> (Throwable) null).otherwise(e -> e);
  }
}
