package dev.fanout.net;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A parsed, normalised http(s) URL, ready to fetch. The host is normalised as browsers do (the
 * WHATWG URL standard, see {@link Host}): percent-decoded, lowercased, and numeric IPv4 forms such
 * as {@code 127.1}, {@code 2130706433}, {@code 0x7f.1} or {@code 0177.0.0.1} become the dotted
 * quad they mean, so the egress policy sees the address that would really be dialled.
 *
 * @param url the URL as given
 * @param https whether the scheme is https
 * @param host the normalised host: a DNS name, a dotted quad, or an IPv6 address without brackets
 * @param port the effective port
 * @param pathAndQuery the request target: path (at least "/") and query
 * @param literal the address when the host is an IP literal, else null
 * @param hostKey the per-host key: host and port (see {@link #hostKey(String, int)}), computed once
 */
public record UrlTarget(String url, boolean https, String host, int port, String pathAndQuery, InetAddress literal,
    String hostKey) {
  private static final HexFormat HEX = HexFormat.of().withUpperCase();

  /** A URL that cannot be fetched; the message says why. */
  public static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;

    Invalid(String message) {
      super(message, null, false, false);
    }
  }

  /** Parses {@code url}; fails with {@link Invalid} when it is not a fetchable http(s) URL. */
  public static UrlTarget parse(String url) throws Invalid {
    String[] parts = split(url.strip());
    String scheme = parts[0];
    String authority = parts[1];
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      throw new Invalid(scheme == null ? "not an absolute URL" : "only http and https are fetched, not " + scheme);
    }
    if (authority == null || authority.isEmpty()) {
      throw new Invalid("no host");
    }
    if (authority.indexOf('@') >= 0) {
      throw new Invalid("credentials in the URL are not supported");
    }
    boolean https = scheme.equals("https");
    String hostPart;
    String portPart = null;
    if (authority.startsWith("[")) {
      int close = authority.indexOf(']');
      if (close < 0) {
        throw new Invalid("unclosed [ in host");
      }
      hostPart = authority.substring(0, close + 1);
      String rest = authority.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          throw new Invalid("junk after ]");
        }
        portPart = rest.substring(1);
      }
    } else {
      int colon = authority.lastIndexOf(':');
      hostPart = colon < 0 ? authority : authority.substring(0, colon);
      portPart = colon < 0 ? null : authority.substring(colon + 1);
    }
    int port = port(portPart, https ? 443 : 80);
    Host host = Host.parse(hostPart);
    return new UrlTarget(url, https, host.text(), port, parts[2], host.literal(), hostKey(host.text(), port));
  }

  /** The per-host key: lowercased host (IPv6 without brackets) and port, as aiohttp counts hosts. */
  public static String hostKey(String host, int port) {
    return host + ":" + port;
  }

  /**
   * Splits a URL into lowercased scheme, raw authority and request target (path, at least "/",
   * and query; no fragment). Plain URLs take a fast path (this runs for every fetch, twice);
   * anything unusual goes through java.net.URI after browser-style escaping.
   */
  private static String[] split(String s) throws Invalid {
    int start = schemeEnd(s);
    if (start > 0 && plain(s, start)) {
      int end = authorityEnd(s, start);
      int hash = s.indexOf('#', end);
      String target = s.substring(end, hash < 0 ? s.length() : hash);
      if (target.isEmpty() || target.charAt(0) == '?') {
        target = "/" + target;
      }
      return new String[] {start == 7 ? "http" : "https", s.substring(start, end), target};
    }
    URI uri;
    try {
      uri = new URI(escapeIllegal(s));
    } catch (URISyntaxException e) {
      throw new Invalid("not a URL: " + e.getReason());
    }
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    String target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
    return new String[] {scheme, uri.getRawAuthority(), target};
  }

  /**
   * The scheme and authority of a URL that starts with {@code http://} or {@code https://}
   * ({@code http://example.com:8080}), as written, else null. Everything a {@link #hostKey()}
   * depends on is in it, so callers can remember per-origin facts without parsing each URL.
   */
  public static String origin(String url) {
    int start = schemeEnd(url);
    return start < 0 ? null : url.substring(0, authorityEnd(url, start));
  }

  /** The index after {@code http://} or {@code https://}, else -1. */
  private static int schemeEnd(String s) {
    return s.startsWith("http://") ? 7 : s.startsWith("https://") ? 8 : -1;
  }

  /** The index where the authority that starts at {@code start} ends. */
  private static int authorityEnd(String s, int start) {
    int end = start;
    while (end < s.length() && "/?#".indexOf(s.charAt(end)) < 0) {
      end++;
    }
    return end;
  }

  /** Whether every character after the scheme is one RFC 3986 allows as is (escapes well formed). */
  private static boolean plain(String s, int from) {
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
          || "-._~!$&'()*+,;=:@/?".indexOf(c) >= 0) {
        continue;
      }
      if (c == '%' && i + 2 < s.length() && Character.digit(s.charAt(i + 1), 16) >= 0
          && Character.digit(s.charAt(i + 2), 16) >= 0) {
        i += 2;
        continue;
      }
      if (c == '#') {
        return i > from; // a fragment is fine once there is something before it
      }
      return false;
    }
    return true;
  }

  /** The normalised URL, as sent (without fragment). */
  public String normalised() {
    String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    boolean defaultPort = port == (https ? 443 : 80);
    return (https ? "https://" : "http://") + h + (defaultPort ? "" : ":" + port) + pathAndQuery;
  }

  /** The Host header value: the host, with the port unless it is the scheme's default. */
  public String hostHeader() {
    String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    return port == (https ? 443 : 80) ? h : h + ":" + port;
  }

  /**
   * Resolves a Location header against this URL. Fails with {@link Invalid} when the result is
   * not a fetchable URL.
   */
  public UrlTarget resolve(String location) throws Invalid {
    URI base;
    try {
      base = new URI(normalised());
      return parse(base.resolve(new URI(escapeIllegal(location.strip()))).toString());
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw new Invalid("bad redirect location: " + location);
    }
  }

  private static int port(String text, int dflt) throws Invalid {
    if (text == null || text.isEmpty()) {
      return dflt;
    }
    if (text.length() > 5) {
      throw new Invalid("bad port: " + text);
    }
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '9') {
        throw new Invalid("bad port: " + text);
      }
    }
    int p = Integer.parseInt(text);
    if (p < 1 || p > 65535) {
      throw new Invalid("port out of range: " + p);
    }
    return p;
  }

  /** Percent-encodes the characters browsers accept in URLs but java.net.URI does not. */
  private static String escapeIllegal(String s) {
    StringBuilder out = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean bad = c <= 0x20 || c >= 0x7f || "\"<>\\^`{|}".indexOf(c) >= 0;
      if (bad && out == null) {
        out = new StringBuilder(s.length() + 16).append(s, 0, i);
      }
      if (out != null) {
        if (!bad) {
          out.append(c);
        } else if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
          appendEncoded(out, s.substring(i, i + 2));
          i++;
        } else {
          appendEncoded(out, String.valueOf(c));
        }
      }
    }
    return out == null ? s : out.toString();
  }

  private static void appendEncoded(StringBuilder out, String chars) {
    for (byte b : chars.getBytes(StandardCharsets.UTF_8)) {
      out.append('%').append(HEX.toHexDigits(b));
    }
  }


}
