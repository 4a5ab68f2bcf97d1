package dev.fanout.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonSyntaxTest {

  @ParameterizedTest
  @ValueSource(strings = {"{bad", "{\"a\": 1", "{\"a\": tru}", "{\"a\": [1,]}", "{\"a\" 1}", "{'a': 1}", "{\"a\": 01}"})
  void a_syntax_error_says_what_and_where_without_the_parsers_internals(String text) {
    Throwable e = catchThrowable(() -> new JsonObject(text)); // Vert.x's DecodeException around Jackson's
    assertThat(e).isNotNull();
    String m = JsonSyntax.message(e);
    assertThat(m).containsPattern("at line 1, column \\d+$")
        .doesNotContain("REDACTED", "StreamReadFeature", "Source", "(code ", "\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"a\": 1"})
  void an_unclosed_object_says_where_it_opened(String text) {
    String m = JsonSyntax.message(catchThrowable(() -> new JsonObject(text)));
    assertThat(m).startsWith("unexpected end-of-input").contains("(opened at line 1, column 1)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"no parse error here"})
  void any_other_exception_keeps_its_message(String message) {
    assertThat(JsonSyntax.message(new IllegalStateException(message))).isEqualTo(message);
  }
}
