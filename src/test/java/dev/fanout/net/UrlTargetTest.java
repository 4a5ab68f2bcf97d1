package dev.fanout.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UrlTargetTest {

  @ParameterizedTest
  @CsvSource({
      "http://127.1/, 127.0.0.1",
      "http://2130706433/, 127.0.0.1",
      "http://0x7f.1/, 127.0.0.1",
      "http://0177.0.0.1/, 127.0.0.1",
      "http://0x7F000001/, 127.0.0.1",
      "http://10.1/, 10.0.0.1",
      "http://192.168.257/, 192.168.1.1",
      "http://0/, 0.0.0.0",
      "http://Example.COM./, example.com",
      "http://[::FFFF:127.0.0.1]/, 127.0.0.1",
      "http://[0:0::1]/, ::1",
      "http://[2001:DB8:0:0:1:0:0:1]/, 2001:db8::1:0:0:1",
      "http://0x1g/, 0x1g",
      "http://bücher.example/, xn--bcher-kva.example",
  })
  void normalises_hosts_as_browsers_do(String url, String host) throws Exception {
    assertThat(UrlTarget.parse(url).host()).isEqualTo(host);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftp://x/", "file:///etc/passwd", "/relative", "http://", "http://a:b@host/",
      "http://host:0/", "http://host:65536/", "http://256.1.1.1/", "http://1.2.3.4.5/",
      "http://[::1/", "http://[fe80::1%25eth0]/", "http://exa mple.com/", "http://1.2.3.08/", "gopher://x/"})
  void rejects_what_cannot_be_fetched(String url) {
    assertThatThrownBy(() -> UrlTarget.parse(url)).isInstanceOf(UrlTarget.Invalid.class);
  }

  @Test
  void keeps_path_query_and_ports() throws Exception {
    UrlTarget t = UrlTarget.parse("https://Example.com:8443/a/b?c=d e#frag");
    assertThat(t.https()).isTrue();
    assertThat(t.port()).isEqualTo(8443);
    assertThat(t.pathAndQuery()).isEqualTo("/a/b?c=d%20e");
    assertThat(t.hostKey()).isEqualTo("example.com:8443");
    assertThat(t.normalised()).isEqualTo("https://example.com:8443/a/b?c=d%20e");
    assertThat(UrlTarget.parse("http://x").pathAndQuery()).isEqualTo("/");
    assertThat(UrlTarget.parse("http://x").port()).isEqualTo(80);
  }

  @Test
  void origin_is_scheme_and_authority_as_written() {
    assertThat(UrlTarget.origin("http://Example.com:8080/a?b#c")).isEqualTo("http://Example.com:8080");
    assertThat(UrlTarget.origin("https://x?q")).isEqualTo("https://x");
    assertThat(UrlTarget.origin("https://x")).isEqualTo("https://x");
    assertThat(UrlTarget.origin("ftp://x/")).isNull();
    assertThat(UrlTarget.origin("HTTP://x/")).isNull(); // left to the full parse
  }

  @Test
  void resolves_relative_redirects() throws Exception {
    UrlTarget t = UrlTarget.parse("http://a.example/x/y?q=1");
    assertThat(t.resolve("/z").normalised()).isEqualTo("http://a.example/z");
    assertThat(t.resolve("w").normalised()).isEqualTo("http://a.example/x/w");
    assertThat(t.resolve("//b.example:81/").hostKey()).isEqualTo("b.example:81");
    assertThatThrownBy(() -> t.resolve("ftp://c/")).isInstanceOf(UrlTarget.Invalid.class);
  }

  @Test
  void percent_escapes_must_be_well_formed_on_the_fast_path_too() throws Exception {
    assertThat(UrlTarget.parse("http://x/a%41?b=%7e").pathAndQuery()).isEqualTo("/a%41?b=%7e");
    assertThatThrownBy(() -> UrlTarget.parse("http://x/a%zz")).isInstanceOf(UrlTarget.Invalid.class);
    assertThatThrownBy(() -> UrlTarget.parse("http://x/a%4")).isInstanceOf(UrlTarget.Invalid.class);
    assertThatThrownBy(() -> UrlTarget.parse("http://x/a%")).isInstanceOf(UrlTarget.Invalid.class);
    assertThatThrownBy(() -> UrlTarget.parse("http://x/?q=%g1")).isInstanceOf(UrlTarget.Invalid.class);
  }

  @Test
  void ipv6_hosts_keep_every_literal_form_browsers_take() throws Exception {
    assertThat(UrlTarget.parse("http://[64:ff9b::10.0.0.1]/").host()).isEqualTo("64:ff9b::a00:1");
    assertThat(UrlTarget.parse("http://[::127.0.0.1]:81/").hostKey()).isEqualTo("::7f00:1:81");
    assertThat(UrlTarget.parse("http://[::1]:8080/a").normalised()).isEqualTo("http://[::1]:8080/a");
    assertThat(UrlTarget.parse("https://[::1]:443/").hostHeader()).isEqualTo("[::1]");
    assertThat(UrlTarget.parse("http://[::1]:8080/").hostHeader()).isEqualTo("[::1]:8080");
    assertThat(UrlTarget.parse("http://[::1]/").literal()).isNotNull();
    assertThat(UrlTarget.parse("http://example.com/").literal()).isNull();
    assertThatThrownBy(() -> UrlTarget.parse("http://[1::2::3]/")).isInstanceOf(UrlTarget.Invalid.class);
    assertThatThrownBy(() -> UrlTarget.parse("http://[example.com]/")).isInstanceOf(UrlTarget.Invalid.class);
  }

  @Test
  void a_leading_zero_is_octal_in_any_part_of_a_dotted_quad() throws Exception {
    assertThat(UrlTarget.parse("http://010.0.0.1/").host()).isEqualTo("8.0.0.1");
    assertThat(UrlTarget.parse("http://1.2.3.010/").host()).isEqualTo("1.2.3.8");
    assertThat(UrlTarget.parse("http://1.2.010.3/").host()).isEqualTo("1.2.8.3");
    assertThat(UrlTarget.parse("http://1.0.0.0/").host()).isEqualTo("1.0.0.0");
    assertThat(UrlTarget.parse("http://100.200.0.255:81/").hostKey()).isEqualTo("100.200.0.255:81");
    assertThat(UrlTarget.parse("http://100.200.0.255/").literal().getAddress()).containsExactly(100, 200, 0, 255);
    assertThatThrownBy(() -> UrlTarget.parse("http://1.2.3.09/")).isInstanceOf(UrlTarget.Invalid.class);
  }

  @ParameterizedTest
  @CsvSource({
      "http://example.com/, example.com",
      "http://example.com:80/, example.com",
      "https://example.com:443/, example.com",
      "https://example.com:80/, example.com:80",
      "http://example.com:443/, example.com:443",
      "http://example.com:8080/, example.com:8080",
      "'http://[::1]/', '[::1]'",
      "'https://[::1]:8443/', '[::1]:8443'"})
  void the_host_header_omits_only_the_schemes_own_default_port(String url, String header) throws Exception {
    assertThat(UrlTarget.parse(url).hostHeader()).isEqualTo(header);
  }

  @Test
  void normalised_urls_omit_only_the_schemes_own_default_port() throws Exception {
    assertThat(UrlTarget.parse("https://example.com:80/a").normalised()).isEqualTo("https://example.com:80/a");
    assertThat(UrlTarget.parse("http://example.com:443/a").normalised()).isEqualTo("http://example.com:443/a");
    assertThat(UrlTarget.parse("https://example.com:443/a").normalised()).isEqualTo("https://example.com/a");
    assertThat(UrlTarget.parse("http://[::1]:80/a").normalised()).isEqualTo("http://[::1]/a");
  }

  /** The fast path takes only well-formed escapes; a broken one is refused, as java.net.URI refuses it. */
  @ParameterizedTest
  @ValueSource(strings = {"http://example.com/a%zz", "http://example.com/a%4",
      "http://example.com/a%", "http://example.com/a%g1", "http://example.com/a%1g", "http://example.com/?q=%x1"})
  void a_broken_percent_escape_is_refused(String url) {
    assertThatThrownBy(() -> UrlTarget.parse(url)).isInstanceOf(UrlTarget.Invalid.class);
  }

  @Test
  void well_formed_escapes_are_kept_as_written() throws Exception {
    assertThat(UrlTarget.parse("http://example.com/a%2Fb%41?x=%7e#f").pathAndQuery()).isEqualTo("/a%2Fb%41?x=%7e");
    assertThat(UrlTarget.parse("http://example.com/%41").pathAndQuery()).isEqualTo("/%41");
    assertThat(UrlTarget.parse("http://example.com?q=1").pathAndQuery()).isEqualTo("/?q=1");
    assertThat(UrlTarget.parse("https://example.com").pathAndQuery()).isEqualTo("/");
  }

  @Test
  void the_refusal_says_what_is_wrong() {
    assertThatThrownBy(() -> UrlTarget.parse("/relative")).hasMessage("not an absolute URL");
    assertThatThrownBy(() -> UrlTarget.parse("ftp://x/")).hasMessage("only http and https are fetched, not ftp");
    assertThatThrownBy(() -> UrlTarget.parse("http://@example.com/"))
        .hasMessage("credentials in the URL are not supported");
    assertThatThrownBy(() -> UrlTarget.parse("http://:80/")).hasMessageStartingWith("empty label in host");
    assertThatThrownBy(() -> UrlTarget.parse("http://x:123456/")).hasMessage("bad port: 123456");
    assertThatThrownBy(() -> UrlTarget.parse("http://x:8a/")).hasMessage("bad port: 8a");
    assertThatThrownBy(() -> UrlTarget.parse("http://x:a8/")).hasMessage("bad port: a8");
  }

  @ParameterizedTest
  @CsvSource({"http://x:1/, 1", "http://x:65535/, 65535", "http://x:09/, 9", "http://x:/, 80", "https://x:/, 443"})
  void ports_from_1_to_65535_are_fetched(String url, int port) throws Exception {
    assertThat(UrlTarget.parse(url).port()).isEqualTo(port);
  }

  /** Every character the plain form allows, before a fragment that holds a second #, as browsers take it. */
  @ParameterizedTest
  @ValueSource(strings = {"a", "z", "A", "Z", "0", "9", "-", ".", "_", "~", "!", "$", "&", "'", "(", ")", "*", "+",
      ",", ";", "=", ":", "@", "/", "?", "%0a", "%a0", "%00", "%9F", "%F9"})
  void a_fragment_with_a_second_hash_is_dropped_whatever_comes_before(String c) throws Exception {
    assertThat(UrlTarget.parse("http://example.com/" + c + "#frag#more").pathAndQuery()).startsWith("/" + c);
  }

  @Test
  void characters_browsers_escape_are_sent_escaped() throws Exception {
    assertThat(UrlTarget.parse("http://x/a\u007fb").pathAndQuery()).isEqualTo("/a%7Fb");
    assertThat(UrlTarget.parse("http://x/a\u0001b").pathAndQuery()).isEqualTo("/a%01b");
    assertThat(UrlTarget.parse("http://x/{a}|b^`\"<>\\").pathAndQuery()).isEqualTo("/%7Ba%7D%7Cb%5E%60%22%3C%3E%5C");
    assertThat(UrlTarget.parse("http://x/\u00e9t\u00e9 x").pathAndQuery()).isEqualTo("/%C3%A9t%C3%A9%20x");
    assertThat(UrlTarget.parse("http://x/\ud83d\ude00!").pathAndQuery()).isEqualTo("/%F0%9F%98%80!");
    assertThat(UrlTarget.parse("http://x/a~\ud83d").pathAndQuery()).isEqualTo("/a~%3F");
  }

  @Test
  void a_redirect_location_is_escaped_like_a_url() throws Exception {
    UrlTarget t = UrlTarget.parse("http://a.example/x/");
    assertThat(t.resolve(" /b c ").normalised()).isEqualTo("http://a.example/b%20c");
    assertThatThrownBy(() -> t.resolve("http://[zz]/")).isInstanceOf(UrlTarget.Invalid.class)
        .hasMessage("bad redirect location: http://[zz]/");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://.example/", "http://a..example/", "http://example../", "http://%2e/", "http://./",
      "http://a%2e%2eb/"})
  void a_host_with_an_empty_label_is_refused(String url) {
    assertThatThrownBy(() -> UrlTarget.parse(url)).isInstanceOf(UrlTarget.Invalid.class)
        .hasMessageStartingWith("empty label in host");
  }

  @Test
  void one_trailing_dot_is_dropped_from_names_and_numbers() throws Exception {
    assertThat(UrlTarget.parse("http://a.example./").hostKey()).isEqualTo("a.example:80");
    assertThat(UrlTarget.parse("http://127.1./").host()).isEqualTo("127.0.0.1");
    assertThat(UrlTarget.parse("http://1.2.3.4./").host()).isEqualTo("1.2.3.4");
    assertThat(UrlTarget.parse("http://x%2Ey/").host()).isEqualTo("x.y");
    assertThat(UrlTarget.parse("http://zz.example/").host()).isEqualTo("zz.example");
  }
}
