package dev.fanout.bridge;

import dev.fanout.config.ApiConfig;
import dev.fanout.config.FanoutConfig;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.config.BridgeConfig.HandlerKind;
import dev.fanout.queue.JobHandlers;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A kind is claimed from its first bridge client to its last, with the configured options. */
@ExtendWith(VertxExtension.class)
class ClaimsTest {
  private static final ApiConfig OPEN = FanoutConfig.fromJson(FanoutConfig.defaults()).api();
  private static final String ADDRESS = "fanout.job.thumb";

  /** The kinds this node claims, as the worker sums its registry: {concurrency, timeoutMs, registrations}. */
  private static Map<String, JsonObject> registry(Vertx vertx) {
    return JobHandlers.kinds(vertx);
  }

  @Test
  void a_kind_stays_claimed_while_any_client_holds_it(Vertx vertx) {
    Claims claims = new Claims(vertx, List.of(new HandlerKind("thumb", 3, 5_000)));
    Session a = new Session(vertx, claims, OPEN);
    Session b = new Session(vertx, claims, OPEN);
    claims.hold(ADDRESS, a);
    claims.hold(ADDRESS, b);
    assertThat(registry(vertx).get("thumb").getInteger("concurrency")).isEqualTo(3); // shared, not 6
    assertThat(registry(vertx).get("thumb").getLong("timeoutMs")).isEqualTo(5_000);
    assertThat(registry(vertx).get("thumb").getInteger("registrations")).isEqualTo(1);
    claims.release(ADDRESS, a);
    assertThat(registry(vertx).get("thumb")).isNotNull();
    claims.release(ADDRESS, a); // again: nothing
    assertThat(registry(vertx).get("thumb")).isNotNull();
    claims.release(ADDRESS, b);
    assertThat(registry(vertx).get("thumb")).isNull();
  }

  @Test
  void addresses_that_are_not_handler_kinds_claim_nothing(Vertx vertx) {
    Claims claims = new Claims(vertx, List.of(new HandlerKind("thumb", 3, 5_000)));
    claims.hold("myapp.events.x", new Session(vertx, claims, OPEN));
    assertThat(registry(vertx)).isEmpty();
  }

  @Test
  void a_kind_registered_here_as_well_adds_up_and_keeps_its_entry(Vertx vertx) {
    JobHandlers.External local = JobHandlers.registerExternal(vertx, "thumb", new JobHandlers.Options(9, 1_000, false));
    Claims claims = new Claims(vertx, List.of(new HandlerKind("thumb", 3, 5_000)));
    Session a = new Session(vertx, claims, OPEN);
    claims.hold(ADDRESS, a);
    assertThat(registry(vertx).get("thumb").getInteger("concurrency")).isEqualTo(12);
    assertThat(registry(vertx).get("thumb").getInteger("registrations")).isEqualTo(2);
    claims.release(ADDRESS, a);
    assertThat(registry(vertx).get("thumb").getInteger("concurrency")).isEqualTo(9);
    assertThat(registry(vertx).get("thumb").getLong("timeoutMs")).isEqualTo(1_000);
    local.remove();
    assertThat(registry(vertx)).isEmpty();
  }
}
