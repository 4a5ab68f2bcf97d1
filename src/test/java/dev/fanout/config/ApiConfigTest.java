package dev.fanout.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.config.ApiConfig.Scope;
import dev.fanout.web.OpenBind;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiConfigTest {
  private static final String SECRET = "s3cret-0123456789abcdef";

  private static FanoutConfig with(JsonObject overlay) {
    return FanoutConfig.fromJson(FanoutConfig.defaults().mergeIn(overlay, true));
  }

  private static ApiConfig tokens(String... entries) {
    return with(new JsonObject().put("api", new JsonObject().put("tokens", new JsonArray(List.of(entries)))))
        .api();
  }

  @Test
  void a_token_entry_is_id_secret_scopes_and_only_its_digest_is_kept() {
    ApiConfig api = tokens("ci:" + SECRET + ":read+write", "ops:sha256-"
        + HexFormat.of().formatHex(ApiConfig.sha256(SECRET + "-ops")) + ":admin");
    assertThat(api.protectedByTokens()).isTrue();
    assertThat(Tokens.find(api, SECRET).id()).isEqualTo("ci");
    assertThat(Tokens.find(api, SECRET).scopes()).containsExactlyInAnyOrder(Scope.READ, Scope.WRITE);
    assertThat(Tokens.find(api, SECRET + "-ops").id()).isEqualTo("ops");
    assertThat(Tokens.find(api, SECRET + "x")).isNull();
    assertThat(Tokens.find(api, null)).isNull();
    assertThat(api.tokens().toString()).doesNotContain(SECRET);
  }

  @Test
  void the_environment_gives_tokens_comma_separated() {
    JsonObject json = FanoutConfig.load(null, Map.of("FANOUT_API_TOKENS", "a:" + SECRET + ":read,b:" + SECRET
        + "-b:write"), Map.of());
    ApiConfig api = FanoutConfig.fromJson(json).api();
    assertThat(api.tokens()).extracting(ApiConfig.Token::id).containsExactly("a", "b");
  }

  @Test
  void bad_entries_are_refused_naming_the_key_and_never_echoing_the_secret() {
    assertThatThrownBy(() -> tokens(SECRET)).hasMessageStartingWith("config api.tokens: an entry must be ID:SECRET:SCOPES")
        .hasMessageNotContaining(SECRET);
    assertThatThrownBy(() -> tokens("ci:short:read")).hasMessageContaining("16 characters at least")
        .hasMessageNotContaining("short:");
    assertThatThrownBy(() -> tokens("ci:" + SECRET + ":root")).hasMessageContaining("unknown scope \"root\"")
        .hasMessageNotContaining(SECRET);
    assertThatThrownBy(() -> tokens("c i:" + SECRET + ":read")).hasMessageContaining("token id \"c i\"");
    assertThatThrownBy(() -> tokens("ci:" + SECRET + ":read", "ci:" + SECRET + "2:write"))
        .hasMessageContaining("given twice");
  }

  @Test
  void an_api_other_machines_reach_needs_tokens_or_allow_open() {
    JsonObject open = new JsonObject().put("http", new JsonObject().put("host", "0.0.0.0"));
    assertThatThrownBy(() -> OpenBind.check(with(open))).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("config http.host: 0.0.0.0 is reachable from other machines")
        .hasMessageContaining("FANOUT_API_TOKENS").hasMessageContaining("http.allowOpen");
    OpenBind.check(with(open.copy().put("http", new JsonObject().put("host", "0.0.0.0").put("allowOpen", true))));
    OpenBind.check(with(open.copy().put("api", new JsonObject().put("tokens", new JsonArray().add("a:" + SECRET
        + ":read")))));
    for (String loopback : new String[] {"127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"}) {
      OpenBind.check(with(new JsonObject().put("http", new JsonObject().put("host", loopback))));
    }
    assertThatThrownBy(() -> OpenBind.check(with(new JsonObject().put("http", new JsonObject().put("host", "::")))))
        .isInstanceOf(ConfigException.class);
  }
}
