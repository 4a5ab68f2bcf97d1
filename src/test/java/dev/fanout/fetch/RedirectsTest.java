package dev.fanout.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.ErrorKind;
import dev.fanout.bus.FetchResult;
import dev.fanout.bus.FetchSpec;
import dev.fanout.bus.FetchSpec.Request;
import dev.fanout.net.UrlTarget;
import dev.fanout.testing.Fetchers;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** One redirect hop: which responses are followed, where to, with which method, body and headers. */
class RedirectsTest {
  private final List<FetchResult> finished = new ArrayList<>();
  private final List<FetchTask> hops = new ArrayList<>();

  private static FetchTask task(String url, HttpMethod method, Map<String, String> headers, String body, int max)
      throws UrlTarget.Invalid {
    FetchSpec.Options options = Fetchers.defaults(Fetchers.fetch("maxRedirects", max));
    return new FetchTask(new FetchSpec(url, UrlTarget.parse(url), new Request(method, headers, body), options, null),
        System.nanoTime());
  }

  private static Response response(int status, String location) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (location != null) {
      headers.add("Location", location);
    }
    return new Response(status, headers, 0, null, null, null);
  }

  private void follow(FetchTask t, int status, String location) {
    Redirects.follow(t, response(status, location), System.nanoTime(), (task, r) -> finished.add(r), hops::add);
  }

  @ParameterizedTest
  @ValueSource(ints = {301, 302, 303, 307, 308})
  void the_five_redirect_statuses_with_a_location_are_followed(int status) {
    assertThat(Redirects.isRedirect(response(status, "/next"))).isTrue();
    assertThat(Redirects.isRedirect(response(status, null))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(ints = {200, 300, 304, 305, 306, 309, 404})
  void other_statuses_are_results_even_with_a_location(int status) {
    assertThat(Redirects.isRedirect(response(status, "/next"))).isFalse();
  }

  @ParameterizedTest
  @CsvSource({
      "303, POST, GET, ", "303, PUT, GET, ", "303, HEAD, HEAD, ", "303, GET, GET, ",
      "301, POST, GET, ", "302, POST, GET, ", "301, PUT, PUT, b", "302, DELETE, DELETE, b",
      "307, POST, POST, b", "308, POST, POST, b", "307, PUT, PUT, b"})
  void the_next_method_follows_rfc_9110(int status, String from, String to, String body) throws Exception {
    boolean bodyless = from.equals("GET") || from.equals("HEAD");
    FetchTask t = task("http://a.example/x", HttpMethod.valueOf(from), Map.of(), bodyless ? null : "b", 5);
    follow(t, status, "/y");
    assertThat(finished).isEmpty();
    assertThat(hops).containsExactly(t);
    assertThat(t.request.method()).isEqualTo(HttpMethod.valueOf(to));
    assertThat(t.request.body()).isEqualTo(body);
    assertThat(t.target.normalised()).isEqualTo("http://a.example/y");
    assertThat(t.redirects).isEqualTo(1);
  }

  @Test
  void credentials_are_not_carried_to_another_host() throws Exception {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Authorization", "Bearer t");
    headers.put("COOKIE", "c=1");
    headers.put("Proxy-Authorization", "p");
    headers.put("X-Trace", "1");
    FetchTask t = task("http://a.example/x", HttpMethod.GET, headers, null, 5);
    follow(t, 302, "http://b.example/y");
    assertThat(t.request.headers()).containsExactly(Map.entry("X-Trace", "1"));
    assertThat(t.target.hostKey()).isEqualTo("b.example:80");
  }

  @Test
  void credentials_stay_on_the_same_host_and_another_port_is_another_host() throws Exception {
    Map<String, String> headers = Map.of("Authorization", "Bearer t");
    FetchTask same = task("http://a.example/x", HttpMethod.GET, headers, null, 5);
    follow(same, 301, "/y");
    assertThat(same.request.headers()).isEqualTo(headers);
    FetchTask port = task("http://a.example/x", HttpMethod.GET, headers, null, 5);
    follow(port, 301, "http://a.example:81/y");
    assertThat(port.request.headers()).isEmpty();
  }

  @Test
  void the_last_allowed_redirect_is_followed_and_the_next_ends_the_fetch() throws Exception {
    FetchTask t = task("http://a.example/0", HttpMethod.GET, Map.of(), null, 2);
    follow(t, 302, "/1");
    follow(t, 302, "/2");
    assertThat(hops).hasSize(2);
    assertThat(finished).isEmpty();
    follow(t, 302, "/3");
    assertThat(hops).hasSize(2);
    assertThat(finished).singleElement().satisfies(r -> {
      assertThat(r.ok()).isFalse();
      assertThat(r.error().kind()).isEqualTo(ErrorKind.TOO_MANY_REDIRECTS);
      assertThat(r.error().message()).isEqualTo("more than 2 redirects");
      assertThat(r.redirects()).isEqualTo(2);
      assertThat(r.finalUrl()).isEqualTo("http://a.example/2");
    });
  }

  @Test
  void no_redirect_is_followed_when_none_is_allowed() throws Exception {
    FetchTask t = task("http://a.example/0", HttpMethod.GET, Map.of(), null, 0);
    follow(t, 301, "/1");
    assertThat(hops).isEmpty();
    assertThat(finished).singleElement().satisfies(r -> assertThat(r.error().kind())
        .isEqualTo(ErrorKind.TOO_MANY_REDIRECTS));
  }

  @Test
  void a_location_that_cannot_be_fetched_ends_the_fetch_as_invalid_url() throws Exception {
    FetchTask t = task("http://a.example/0", HttpMethod.GET, Map.of(), null, 5);
    follow(t, 302, "ftp://b.example/file");
    assertThat(hops).isEmpty();
    assertThat(finished).singleElement().satisfies(r -> {
      assertThat(r.error().kind()).isEqualTo(ErrorKind.INVALID_URL);
      assertThat(r.status()).isEqualTo(302);
      assertThat(r.finalUrl()).isEqualTo("http://a.example/0");
    });
    assertThat(t.redirects).isZero();
  }

  @Test
  void results_are_json_with_the_redirect_status() throws Exception {
    FetchTask t = task("http://a.example/0", HttpMethod.GET, Map.of(), null, 0);
    follow(t, 308, "/1");
    JsonObject json = finished.get(0).toJson();
    assertThat(json.getInteger("status")).isEqualTo(308);
  }
}
