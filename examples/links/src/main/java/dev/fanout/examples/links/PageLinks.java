package dev.fanout.examples.links;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * The same-site links of an HTML page, normalised so that one page has one spelling: the key of
 * its job. Parsing is CPU work (jsoup builds the whole tree): call {@link #extract} on a worker
 * thread, never on an event loop.
 */
public final class PageLinks {
  private PageLinks() {}

  /**
   * The distinct links of {@code html} (read at {@code pageUrl}, which relative links resolve
   * against) on the site {@code site} (an origin, {@code http://host:port}), normalised, in page
   * order. Other sites, other schemes ({@code mailto:}, {@code javascript:}) and links that do not
   * parse are left out.
   */
  public static List<String> extract(String html, String pageUrl, String site) {
    Document doc = Jsoup.parse(html, pageUrl);
    Set<String> out = new LinkedHashSet<>();
    for (Element a : doc.select("a[href]")) {
      String url = normalize(a.absUrl("href"));
      if (url != null && site.equals(origin(url))) {
        out.add(url);
      }
    }
    return new ArrayList<>(out);
  }

  /**
   * {@code url} in one spelling: scheme and host in lower case, no default port, a path of at
   * least {@code /}, no fragment; null when it is not an absolute http(s) URL.
   */
  public static String normalize(String url) {
    if (url == null || url.isBlank()) {
      return null;
    }
    try {
      URI u = new URI(url.trim()).normalize();
      String scheme = u.getScheme() == null ? null : u.getScheme().toLowerCase(Locale.ROOT);
      if (!("http".equals(scheme) || "https".equals(scheme)) || u.getHost() == null) {
        return null;
      }
      int port = u.getPort() == defaultPort(scheme) ? -1 : u.getPort();
      String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
      String query = u.getRawQuery() == null ? "" : "?" + u.getRawQuery();
      return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + (port == -1 ? "" : ":" + port) + path + query;
    } catch (URISyntaxException e) {
      return null;
    }
  }

  /** The origin ({@code scheme://host[:port]}) of a normalised URL, or null. */
  public static String origin(String normalized) {
    if (normalized == null) {
      return null;
    }
    int slash = normalized.indexOf('/', normalized.indexOf("://") + 3);
    return slash < 0 ? normalized : normalized.substring(0, slash);
  }

  private static int defaultPort(String scheme) {
    return "https".equals(scheme) ? 443 : 80;
  }
}
