package dev.fanout.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.vertx.core.ThreadingModel;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code plugins}, {@code deploy}, {@code admin}: reading, defaults, errors naming the field, inline --conf. */
class PluginsConfigTest {

  private static FanoutConfig inline(String json) {
    return FanoutConfig.fromJson(FanoutConfig.load(json, Map.of(), Map.of()));
  }

  @Test
  void defaults_are_the_plugins_directory_and_nothing_deployed_and_admin_off() {
    FanoutConfig c = inline("{}");
    assertThat(c.plugins().dir()).isEqualTo("./plugins");
    assertThat(c.plugins().deploy()).isEmpty();
    assertThat(c.admin().enabled()).isFalse();
  }

  @Test
  void deploy_entries_are_objects_or_class_colon_instances_strings() {
    FanoutConfig c = inline("""
        {"deploy": [{"class": "a.B", "instances": 3, "config": {"x": 1}, "threadingModel": "worker"}, "c.D:2", "e.F"]}
        """);
    assertThat(c.plugins().deploy()).containsExactly(
        new DeploySpec("a.B", 3, new JsonObject().put("x", 1), ThreadingModel.WORKER),
        new DeploySpec("c.D", 2, new JsonObject(), ThreadingModel.EVENT_LOOP),
        new DeploySpec("e.F", 1, new JsonObject(), ThreadingModel.EVENT_LOOP));
  }

  @Test
  void the_environment_gives_a_comma_separated_list() {
    FanoutConfig c = FanoutConfig.fromJson(FanoutConfig.load(null, Map.of("FANOUT_DEPLOY", "a.B:2, c.D"), Map.of()));
    assertThat(c.plugins().deploy()).extracting(DeploySpec::className, DeploySpec::instances)
        .containsExactly(tuple("a.B", 2), tuple("c.D", 1));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"deploy\": [\"a.B\", {\"class\": \"c.D\", \"instances\": 0}]}           | deploy[1].instances",
      "{\"deploy\": [{\"class\": \"c.D\", \"instances\": 1.5}]}                 | deploy[0].instances",
      "{\"deploy\": [{\"instances\": 1}]}                                      | deploy[0].class",
      "{\"deploy\": [{\"class\": \"x:y.Z\"}]}                                   | deploy[0].class",
      "{\"deploy\": [{\"class\": \"a.B\", \"config\": []}]}                      | deploy[0].config",
      "{\"deploy\": [{\"class\": \"a.B\", \"threadingModel\": \"other\"}]}       | deploy[0].threadingModel",
      "{\"deploy\": [{\"class\": \"a.B\", \"verticle\": 1}]}                     | deploy[0].verticle",
      "{\"deploy\": [\"a.B:many\"]}                                             | deploy[0]",
      "{\"deploy\": [7]}                                                       | deploy[0]",
      "{\"deploy\": {\"class\": \"a.B\"}}                                       | deploy",
      "{\"admin\": {\"deployAllow\": [\"com.example.\", \"not a class\"]}}     | admin.deployAllow"})
  void a_bad_entry_names_its_field(String json, String field) {
    assertThatThrownBy(() -> inline(json)).isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo(field));
  }

  @Test
  void deployAllow_takes_exact_names_and_package_prefixes() {
    AdminConfig a = inline("{\"admin\": {\"enabled\": true, \"deployAllow\": [\"com.example.\", \"org.x.One\"]}}")
        .admin();
    assertThat(a.allows("com.example.Plugin")).isTrue();
    assertThat(a.allows("com.example.sub.Plugin")).isTrue();
    assertThat(a.allows("com.examples.Plugin")).isFalse();
    assertThat(a.allows("org.x.One")).isTrue();
    assertThat(a.allows("org.x.OneMore")).isFalse();
    assertThat(inline("{}").admin().allows("dev.fanout.web.WebVerticle")).isFalse();
  }

  @Test
  void conf_may_be_inline_json() {
    assertThat(inline("  {\"http\": {\"port\": 9191}}").http().port()).isEqualTo(9191);
    assertThatThrownBy(() -> inline("{\"http\": "))
        .isInstanceOf(ConfigException.class).hasMessageContaining("--conf").hasMessageContaining("inline JSON");
    assertThatThrownBy(() -> inline("{\"htp\": {}}")).hasMessageContaining("htp");
  }
}
