package dev.fanout.net;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Numeric IP addresses: parsing literals without DNS, their RFC 5952 text, and the IPv4 address
 * some IPv6 forms carry. Netty's {@link NetUtil} does the parsing and the text where its rules are
 * the browsers'; the rest is here.
 */
public final class Ip {
  private Ip() {}

  /** An address as text; IPv6 in the RFC 5952 form ({@code ::1}, lowercase, longest zero run elided). */
  public static String text(InetAddress a) {
    return NetUtil.toAddressString(a);
  }

  /**
   * The bytes (4 or 16) of a dotted-quad IPv4 or an IPv6 literal, or null when it is neither. Never
   * touches DNS.
   */
  public static byte[] literal(String text) {
    if (NetUtil.isValidIpV4Address(text)) {
      return NetUtil.createByteArrayFromIpAddressString(text);
    }
    InetAddress v6 = ipv6(text);
    return v6 == null ? null : v6.getAddress();
  }

  /**
   * The address an IPv6 literal (without brackets) names, or null when it is not one. An
   * IPv4-mapped form ({@code ::ffff:127.0.0.1}) comes back as the IPv4 address it maps, as the JDK
   * parses it. A zone id ({@code fe80::1%eth0}) is refused: it never names a host to fetch.
   */
  public static InetAddress ipv6(String text) {
    if (text.indexOf(':') < 0 || !numeric(text)) {
      return null;
    }
    try {
      if (text.indexOf('.') < 0) {
        return NetUtil.isValidIpV6Address(text)
            ? InetAddress.getByAddress(NetUtil.createByteArrayFromIpAddressString(text)) : null;
      }
      // A trailing dotted quad: Netty takes it only after the mapped or compatible prefix and reads
      // ::a.b.c.d as mapped; browsers and the JDK take it after any prefix (64:ff9b::10.0.0.1) and
      // keep ::a.b.c.d compatible. Numeric (checked above), so the JDK looks nothing up.
      return InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static boolean numeric(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.digit(c, 16) < 0 && c != ':' && c != '.') {
        return false;
      }
    }
    return true;
  }

  /**
   * The IPv4 address embedded in an IPv6 one: IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible
   * ::a.b.c.d, NAT64 64:ff9b::a.b.c.d and 6to4 2002:aabb:ccdd::; else null.
   */
  public static byte[] embeddedIpv4(byte[] a) {
    if (a.length != 16) {
      return null;
    }
    if (zero(a, 0, 10) && (a[10] & 0xff) == 0xff && (a[11] & 0xff) == 0xff || zero(a, 0, 12)) {
      return slice(a, 12);
    }
    if (a[0] == 0 && (a[1] & 0xff) == 0x64 && (a[2] & 0xff) == 0xff && (a[3] & 0xff) == 0x9b && zero(a, 4, 12)) {
      return slice(a, 12);
    }
    if ((a[0] & 0xff) == 0x20 && (a[1] & 0xff) == 0x02) {
      return slice(a, 2);
    }
    return null;
  }

  private static boolean zero(byte[] a, int from, int to) {
    for (int i = from; i < to; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static byte[] slice(byte[] a, int from) {
    return new byte[] {a[from], a[from + 1], a[from + 2], a[from + 3]};
  }
}
