package dev.fanout.gather;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a gather reports: results counted as ok or failed by their error kind. */
class GatherStatsTest {

  @Test
  void results_are_counted_ok_or_failed_by_kind() {
    GatherStats.Counter counter = new GatherStats.Counter();
    counter.start();
    counter.add(new JsonObject().put("ok", true));
    counter.add(new JsonObject().put("ok", true));
    counter.add(new JsonObject().put("ok", false).put("error", new JsonObject().put("kind", "timeout")));
    counter.add(new JsonObject().put("ok", false).put("error", new JsonObject().put("kind", "timeout")));
    counter.add(new JsonObject().put("ok", false).put("error", new JsonObject().put("kind", "connect")));
    counter.add(new JsonObject().put("ok", false));
    counter.add(new JsonObject().put("error", new JsonObject()));
    GatherStats stats = counter.snapshot();
    assertThat(stats.count()).isEqualTo(7);
    assertThat(stats.ok()).isEqualTo(2);
    assertThat(stats.failed()).isEqualTo(5);
    assertThat(stats.failedByKind()).isEqualTo(Map.of("timeout", 2L, "connect", 1L, "unknown", 2L));
    assertThat(stats.elapsedMs()).isNotNegative().isLessThan(60_000); // taken at once, not a minute later
  }

  @Test
  void as_json_it_has_every_count() {
    JsonObject json = new GatherStats(3, 1, 2, Map.of("timeout", 2L), 40).toJson();
    assertThat(json).isEqualTo(new JsonObject().put("count", 3L).put("ok", 1L).put("failed", 2L)
        .put("failedByKind", new JsonObject().put("timeout", 2L)).put("elapsedMs", 40L));
  }
}
