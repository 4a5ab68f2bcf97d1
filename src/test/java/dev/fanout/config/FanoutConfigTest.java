package dev.fanout.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.net.Cidr;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FanoutConfigTest {

  @Test
  void defaults_parse() {
    FanoutConfig c = FanoutConfig.fromJson(FanoutConfig.load(null, Map.of(), Map.of()));
    assertThat(c.fetch().perHost()).isEqualTo(4);
    assertThat(c.fetch().maxBytes()).isEqualTo(10L * 1024 * 1024);
    assertThat(c.egress().allow()).isEmpty();
    assertThat(c.http().port()).isEqualTo(8080);
  }

  @Test
  void environment_overrides_every_key_by_its_derived_name() {
    Map<String, String> env = Map.of(
        "FANOUT_HTTP_HOST", "0.0.0.0", "FANOUT_HTTP_PORT", "9090", "FANOUT_FETCH_CONCURRENCY", "77",
        "FANOUT_FETCH_PER_HOST", "9", "FANOUT_EGRESS_ALLOW", "127.0.0.0/8, ::1",
        "FANOUT_FETCH_PER_HOST_RATE", "2.5", "FANOUT_FETCH_FOLLOW_REDIRECTS", "false");
    FanoutConfig c = FanoutConfig.fromJson(FanoutConfig.load(null, env, Map.of()));
    assertThat(c.http().host()).isEqualTo("0.0.0.0");
    assertThat(c.http().port()).isEqualTo(9090);
    assertThat(c.fetch().concurrency()).isEqualTo(77);
    assertThat(c.fetch().perHost()).isEqualTo(9);
    assertThat(c.fetch().perHostRate()).isEqualTo(2.5);
    assertThat(c.fetch().followRedirects()).isFalse();
    assertThat(c.egress().allow()).containsExactly(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1"));
  }

  @Test
  void file_overrides_defaults_and_env_overrides_file(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("c.json");
    Files.writeString(f, "{\"fetch\": {\"perHost\": 2, \"retries\": 5}}");
    FanoutConfig c = FanoutConfig.fromJson(FanoutConfig.load(f.toString(), Map.of("FANOUT_FETCH_RETRIES", "1"),
        Map.of("fanout.fetch.concurrency", "3")));
    assertThat(c.fetch().perHost()).isEqualTo(2);
    assertThat(c.fetch().retries()).isEqualTo(1);
    assertThat(c.fetch().concurrency()).isEqualTo(3);
    assertThat(c.fetch().timeoutMs()).isEqualTo(30_000);
  }

  @Test
  void invalid_values_name_the_key() {
    assertThatThrownBy(() -> FanoutConfig.fromJson(
        FanoutConfig.load(null, Map.of("FANOUT_FETCH_PER_HOST", "many"), Map.of())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("fetch.perHost");
    assertThatThrownBy(() -> FanoutConfig.fromJson(
        FanoutConfig.load(null, Map.of("FANOUT_HTTP_PORT", "70000"), Map.of())))
        .hasMessageContaining("http.port").hasMessageContaining("70000");
    assertThatThrownBy(() -> FanoutConfig.fromJson(
        FanoutConfig.load(null, Map.of("FANOUT_EGRESS_ALLOW", "10.0.0.0/33"), Map.of())))
        .hasMessageContaining("egress.allow");
    assertThatThrownBy(() -> FanoutConfig.fromJson(
        FanoutConfig.load(null, Map.of("FANOUT_FETCH_CAPTURE", "all"), Map.of())))
        .hasMessageContaining("fetch.capture");
  }

  @Test
  void unknown_keys_and_bad_files_are_rejected(@TempDir Path dir) throws Exception {
    Path typo = dir.resolve("typo.json");
    Files.writeString(typo, "{\"fetch\": {\"perhost\": 2}}");
    assertThatThrownBy(() -> FanoutConfig.load(typo.toString(), Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("fetch.perhost");
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "{not json");
    assertThatThrownBy(() -> FanoutConfig.load(bad.toString(), Map.of(), Map.of())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("at line 1, column 2").hasMessageNotContainingAny("REDACTED", "code ", "Source");
    assertThatThrownBy(() -> FanoutConfig.load(dir.resolve("missing.json").toString(), Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("cannot read");
  }

  @Test
  void env_names_are_derived_from_keys() {
    assertThat(FanoutConfig.envName("fetch.perHost")).isEqualTo("FANOUT_FETCH_PER_HOST");
    assertThat(FanoutConfig.envName("http.host")).isEqualTo("FANOUT_HTTP_HOST");
    assertThat(FanoutConfig.envName("egress.allow")).isEqualTo("FANOUT_EGRESS_ALLOW");
    assertThat(FanoutConfig.leafKeys(new JsonObject().put("a", new JsonObject().put("bC", 1)), ""))
        .containsExactly("a.bC");
  }
}
