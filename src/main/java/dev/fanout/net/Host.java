package dev.fanout.net;

import dev.fanout.net.UrlTarget.Invalid;
import java.net.IDN;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The host of a URL, normalised as browsers do (the WHATWG URL standard): a bracketed IPv6
 * literal, or a name that is percent-decoded, lowercased, IDN-encoded and, when its last label is
 * numeric, read as an IPv4 address in any of its forms ({@code 127.1}, {@code 0x7f.1}, ...).
 *
 * @param text the normalised host: a DNS name, a dotted quad, or an IPv6 address without brackets
 * @param literal the address when the host is an IP literal, else null
 */
record Host(String text, InetAddress literal) {

  /** Parses the host part of an authority (IPv6 still in brackets); fails with {@link Invalid}. */
  static Host parse(String hostPart) throws Invalid {
    if (hostPart.startsWith("[")) {
      String inner = hostPart.substring(1, hostPart.length() - 1);
      InetAddress v6 = Ip.ipv6(inner);
      if (v6 == null) {
        throw new Invalid("malformed IPv6 address: " + inner);
      }
      return new Host(Ip.text(v6), v6);
    }
    String name = normaliseName(hostPart);
    InetAddress quad = Ipv4.dottedQuad(name);
    if (quad != null) {
      return new Host(name, quad);
    }
    long v4 = Ipv4.parse(name);
    if (v4 == Ipv4.FAIL) {
      throw new Invalid("malformed IPv4 address: " + name);
    }
    if (v4 == Ipv4.NOT_IPV4) {
      return new Host(name, null);
    }
    InetAddress literal = Ipv4.address(v4);
    return new Host(literal.getHostAddress(), literal);
  }

  private static String normaliseName(String raw) throws Invalid {
    String decoded = percentDecode(raw).toLowerCase(Locale.ROOT);
    if (decoded.isEmpty() || decoded.startsWith(".") || decoded.contains("..")) {
      throw new Invalid("empty label in host: " + raw);
    }
    if (decoded.endsWith(".")) {
      decoded = decoded.substring(0, decoded.length() - 1); // "example.com." is example.com; never empty here
    }
    String ascii = decoded;
    if (!ascii(decoded)) {
      try {
        ascii = IDN.toASCII(decoded, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
      } catch (IllegalArgumentException e) {
        throw new Invalid("bad host name: " + decoded);
      }
    }
    for (int i = 0; i < ascii.length(); i++) {
      char c = ascii.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_')) {
        throw new Invalid("forbidden character in host: " + decoded);
      }
    }
    return ascii;
  }

  private static boolean ascii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  private static String percentDecode(String s) throws Invalid {
    if (s.indexOf('%') < 0) {
      return s;
    }
    try {
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new Invalid("bad percent-encoding in host: " + s);
    }
  }
}
