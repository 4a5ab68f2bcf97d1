package dev.fanout.bus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.fanout.bus.FetchResult.FetchError;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;
import java.io.IOException;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/**
 * A result written straight to a generator (the CLI's output) is the same text as its JSON object
 * written by the same generator, member for member.
 */
class FetchResultTest {

  private static String encoded(JsonObject json) throws IOException {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
      JacksonCodec.encodeJson(json, g);
    }
    return out.toString();
  }

  private static String written(FetchResult r) throws IOException {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
      r.writeJson(g);
    }
    return out.toString();
  }

  @Test
  void a_full_result_is_written_as_its_json() throws IOException {
    JsonObject headers = new JsonObject().put("content-type", "text/plain; charset=\"utf-8\"").put("x-n", "1, 2");
    FetchResult r = new FetchResult("http://a.example/\u00e9?q=\"x\"", "http://b.example/", false, 503, headers, 12,
        "ab12", "body\nwith \u2028 and \u0001", 3, 1, 42, new FetchError(ErrorKind.HTTP_STATUS, "HTTP 503"));
    assertThat(written(r)).isEqualTo(encoded(r.toJson()));
    assertThat(FetchResult.of(r)).isSameAs(r);
    assertThat(FetchResult.of(r.toJson())).isEqualTo(r);
    assertThat(FetchResult.isOk(r)).isFalse();
    assertThat(FetchResult.json(r)).isEqualTo(r.toJson());
  }

  @Test
  void a_result_without_response_leaves_the_absent_members_out() throws IOException {
    FetchResult r = FetchResult.failed("not a url", ErrorKind.INVALID_URL, "no host", 1, 0);
    assertThat(written(r)).isEqualTo(encoded(r.toJson())).doesNotContain("status", "headers", "sha256", "body");
    FetchResult ok = new FetchResult("http://a.example/", "http://a.example/", true, 200, new JsonObject(), 0,
        "e3b0", null, 1, 0, 5, null);
    assertThat(written(ok)).isEqualTo(encoded(ok.toJson()));
    assertThat(FetchResult.isOk(ok.toJson())).isTrue();
  }
}
