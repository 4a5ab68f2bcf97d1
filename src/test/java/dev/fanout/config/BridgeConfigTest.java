package dev.fanout.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.config.BridgeConfig.HandlerKind;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code bridge.*}: defaults, handler kinds, and the entries that would open the bus refused by key. */
class BridgeConfigTest {

  private static BridgeConfig bridge(Map<String, String> env) {
    return FanoutConfig.fromJson(FanoutConfig.load(null, env, Map.of())).bridge();
  }

  @Test
  void off_on_loopback_with_fanouts_request_addresses_by_default() {
    BridgeConfig b = bridge(Map.of());
    assertThat(b.enabled()).isFalse();
    assertThat(b.host()).isEqualTo("127.0.0.1");
    assertThat(b.inbound()).containsExactly("fanout.fetch", "fanout.gather", "fanout.jobs.enqueue", "fanout.jobs.get");
    assertThat(b.outbound()).isEmpty();
    assertThat(b.handlerKinds()).isEmpty();
    assertThat(b.maxFrameBytes()).isEqualTo(1 << 20);
  }

  @Test
  void handler_kinds_from_the_environment_with_concurrency_and_timeout() {
    BridgeConfig b = bridge(Map.of("FANOUT_BRIDGE_PORT", "7000",
        "FANOUT_BRIDGE_HANDLER_KINDS", "thumbnail, ocr:4, slow.kind:1:300000"));
    assertThat(b.enabled()).isTrue();
    assertThat(b.handlerKinds()).containsExactly(
        new HandlerKind("thumbnail", BridgeConfig.DEFAULT_CONCURRENCY, BridgeConfig.DEFAULT_TIMEOUT_MS),
        new HandlerKind("ocr", 4, BridgeConfig.DEFAULT_TIMEOUT_MS),
        new HandlerKind("slow.kind", 1, 300_000));
    assertThat(b.handlerKinds().get(0).address()).isEqualTo("fanout.job.thumbnail");
  }

  @Test
  void a_prefix_of_other_addresses_is_allowed() {
    BridgeConfig b = bridge(Map.of("FANOUT_BRIDGE_OUTBOUND", "myapp.events.*",
        "FANOUT_BRIDGE_INBOUND", "fanout.fetch"));
    assertThat(b.outbound()).containsExactly("myapp.events.*");
    assertThat(b.inbound()).containsExactly("fanout.fetch");
  }

  @Test
  void entries_that_would_permit_everything_or_fanouts_internals_are_refused_by_key() {
    for (String all : new String[] {"*", ".*", "fanout.*", "fanout.job.*", "__vertx.*", "a*b", "a b"}) {
      assertThatThrownBy(() -> bridge(Map.of("FANOUT_BRIDGE_INBOUND", "fanout.fetch," + all)))
          .as(all).isInstanceOf(ConfigException.class).hasMessageContaining("bridge.inbound");
    }
    assertThatThrownBy(() -> bridge(Map.of("FANOUT_BRIDGE_OUTBOUND", "*")))
        .hasMessageContaining("bridge.outbound").hasMessageContaining("every address");
    assertThatThrownBy(() -> bridge(Map.of("FANOUT_BRIDGE_OUTBOUND", "fanout.job.thumbnail")))
        .hasMessageContaining("bridge.outbound").hasMessageContaining("bridge.handlerKinds");
  }

  @Test
  void bad_handler_kinds_are_refused_by_key() {
    for (String bad : new String[] {"*", "a:0", "a:x", "a:1:0", "a:1:2:3", "-a", "a,a:2"}) {
      assertThatThrownBy(() -> bridge(Map.of("FANOUT_BRIDGE_HANDLER_KINDS", bad)))
          .as(bad).isInstanceOf(ConfigException.class).hasMessageContaining("bridge.handlerKinds");
    }
    assertThatThrownBy(() -> bridge(Map.of("FANOUT_BRIDGE_HOST", " ")))
        .hasMessageContaining("bridge.host");
    assertThatThrownBy(() -> bridge(Map.of("FANOUT_BRIDGE_MAX_FRAME_BYTES", "10")))
        .hasMessageContaining("bridge.maxFrameBytes");
  }
}
