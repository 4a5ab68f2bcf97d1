package dev.fanout.net;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The WHATWG URL standard's IPv4 host parser: parts may be decimal, octal ({@code 0177}) or hex
 * ({@code 0x7f}), and the last part fills the remaining bytes ({@code 127.1}, {@code 2130706433}).
 * A host whose last label is numeric is an IPv4 address or invalid, never a DNS name.
 */
final class Ipv4 {
  /** The host is not an IPv4 address: a DNS name. */
  static final long NOT_IPV4 = -1;
  /** The host ends in a number but is not a valid IPv4 address. */
  static final long FAIL = -2;

  private Ipv4() {}

  /**
   * The address a host in the usual dotted-quad form ({@code 127.0.0.1}: four decimal parts, no
   * leading zeros) names, else null. The common case, read without the general parser; the text of
   * the address is the host itself.
   */
  static InetAddress dottedQuad(String host) {
    if (!NetUtil.isValidIpV4Address(host)) {
      return null;
    }
    for (int i = 0; i < host.length() - 1; i++) {
      if (host.charAt(i) == '0' && (i == 0 || host.charAt(i - 1) == '.') && host.charAt(i + 1) != '.') {
        return null; // a leading zero: octal to a browser, decimal to Netty
      }
    }
    try {
      return InetAddress.getByAddress(NetUtil.createByteArrayFromIpAddressString(host));
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // four bytes are always an address
    }
  }

  /** The address as a number in [0, 2^32), or {@link #NOT_IPV4} or {@link #FAIL}. */
  static long parse(String host) {
    if (!lastLabelNumeric(host)) {
      return NOT_IPV4; // the last label decides: a DNS name, no need to split it
    }
    String[] parts = host.split("\\.", -1);
    int n = parts.length;
    if (parts[n - 1].isEmpty()) {
      n--; // a trailing dot; the last label is a number, so there is one before it
    }
    if (n > 4) {
      return FAIL;
    }
    long[] nums = new long[n];
    for (int i = 0; i < n; i++) {
      nums[i] = number(parts[i]);
      if (nums[i] < 0) {
        return FAIL;
      }
    }
    for (int i = 0; i < n - 1; i++) {
      if (nums[i] > 255) {
        return FAIL;
      }
    }
    long last = nums[n - 1];
    if (last >= 1L << (8 * (5 - n))) {
      return FAIL;
    }
    long addr = last;
    for (int i = 0; i < n - 1; i++) {
      addr += nums[i] << (8 * (3 - i));
    }
    return addr;
  }

  private static boolean lastLabelNumeric(String host) {
    int end = host.endsWith(".") ? host.length() - 1 : host.length();
    int start = host.lastIndexOf('.', end - 1) + 1;
    return endsInNumber(host.substring(start, end));
  }

  private static boolean endsInNumber(String part) {
    if (!part.isEmpty() && digits(part, 0, 10)) {
      return true;
    }
    return (part.startsWith("0x") || part.startsWith("0X")) && digits(part, 2, 16);
  }

  private static long number(String part) {
    if (part.isEmpty()) {
      return -1;
    }
    int radix = 10;
    String digits = part;
    if (part.startsWith("0x") || part.startsWith("0X")) {
      radix = 16;
      digits = part.substring(2);
      if (digits.isEmpty()) {
        return 0;
      }
    } else if (part.length() > 1 && part.charAt(0) == '0') {
      radix = 8;
      digits = part.substring(1);
    }
    if (digits.length() > 12 || !digits(digits, 0, radix)) {
      return -1;
    }
    return Long.parseLong(digits, radix); // at most 12 digits of the radix: always fits
  }

  private static boolean digits(String s, int from, int radix) {
    for (int i = from; i < s.length(); i++) {
      if (Character.digit(s.charAt(i), radix) < 0) {
        return false;
      }
    }
    return true;
  }

  static InetAddress address(long v) {
    byte[] b = {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
