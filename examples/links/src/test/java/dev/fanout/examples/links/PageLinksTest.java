package dev.fanout.examples.links;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** One spelling per page, and only the site's links. */
class PageLinksTest {

  @Test
  void normalize_gives_one_spelling_per_page() {
    assertThat(PageLinks.normalize("HTTP://Example.COM")).isEqualTo("http://example.com/");
    assertThat(PageLinks.normalize("http://example.com:80/a/../b#frag")).isEqualTo("http://example.com/b");
    assertThat(PageLinks.normalize("https://example.com:443/?q=1")).isEqualTo("https://example.com/?q=1");
    assertThat(PageLinks.normalize("https://example.com:8443/x")).isEqualTo("https://example.com:8443/x");
    assertThat(PageLinks.normalize("mailto:a@example.com")).isNull();
    assertThat(PageLinks.normalize("/relative")).isNull();
    assertThat(PageLinks.normalize("http://exa mple.com/")).isNull();
    assertThat(PageLinks.normalize(" ")).isNull();
  }

  @Test
  void extract_keeps_the_sites_links_resolved_once_each_in_page_order() {
    String html = "<a href='b'>b</a><a href='/a#x'>a</a><a href='/a'>a again</a>"
        + "<a href='http://127.0.0.1:9/c'>other port</a><a href='javascript:void(0)'>js</a>"
        + "<a href='//127.0.0.1:8000/d?k=v'>scheme-relative</a><a>no href</a>";
    assertThat(PageLinks.extract(html, "http://127.0.0.1:8000/dir/page", "http://127.0.0.1:8000"))
        .containsExactly("http://127.0.0.1:8000/dir/b", "http://127.0.0.1:8000/a", "http://127.0.0.1:8000/d?k=v");
  }

  @Test
  void origin_is_scheme_host_and_port() {
    assertThat(PageLinks.origin("http://127.0.0.1:8000/a/b")).isEqualTo("http://127.0.0.1:8000");
    assertThat(PageLinks.origin("https://example.com")).isEqualTo("https://example.com");
    assertThat(PageLinks.origin(null)).isNull();
  }
}
