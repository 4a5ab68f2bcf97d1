package dev.fanout.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An address block such as {@code 127.0.0.0/8} or {@code fc00::/7}. A bare address is a block of
 * one. Only numeric addresses are accepted: parsing never touches DNS. The configuration
 * ({@code egress.allow}, {@code egress.deny}) and the command line parse their blocks into it.
 *
 * @param network the network address bytes (4 or 16)
 * @param prefix the prefix length in bits
 */
public record Cidr(byte[] network, int prefix) {

  /** Parses {@code ADDRESS[/PREFIX]}; fails with {@link IllegalArgumentException} when malformed. */
  public static Cidr parse(String text) {
    String s = text.trim();
    int slash = s.indexOf('/');
    String addr = slash < 0 ? s : s.substring(0, slash);
    if (addr.startsWith("[") && addr.endsWith("]")) {
      addr = addr.substring(1, addr.length() - 1);
    }
    byte[] bytes = Ip.literal(addr);
    if (bytes == null) {
      throw new IllegalArgumentException("not a numeric IP address: " + addr);
    }
    int max = bytes.length * 8;
    int prefix = max;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(s.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad prefix length in " + s);
      }
      if (prefix < 0 || prefix > max) {
        throw new IllegalArgumentException("prefix length must be 0.." + max + " in " + s);
      }
    }
    return new Cidr(bytes, prefix);
  }

  /** Whether {@code address} (4 or 16 bytes) lies in this block; false for the other family. */
  public boolean contains(byte[] address) {
    if (address.length != network.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (address[i] != network[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (address[full] & mask) == (network[full] & mask);
  }

  @Override
  public String toString() {
    try {
      return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(network) * 31 + prefix;
  }
}
