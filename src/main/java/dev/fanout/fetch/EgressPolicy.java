package dev.fanout.fetch;

import dev.fanout.bus.UrlTarget;
import dev.fanout.config.Cidr;
import dev.fanout.config.EgressConfig;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Which addresses a fetch may connect to (the SSRF guard). It is applied to the resolved address
 * of every hop, and the fetcher then connects to exactly that address, so DNS rebinding cannot
 * swap it. Denied by default: every block that is not the public internet (loopback, private,
 * link-local, CGNAT, unique-local, multicast, reserved, documentation), cloud metadata addresses,
 * and any IPv6 form that embeds an IPv4 address (mapped, compatible, NAT64, 6to4) whose IPv4
 * address is denied. The configured {@code allow} blocks win over the built-in list.
 */
public final class EgressPolicy {
  private static final List<Cidr> BUILT_IN = cidrs(
      // IPv4
      "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
      "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
      "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32",
      // cloud metadata outside the blocks above (Azure's wire server)
      "168.63.129.16/32",
      // IPv6: unspecified, loopback, discard, Teredo, documentation, unique-local (incl. AWS
      // fd00:ec2::254), link-local, site-local, multicast, NAT64 local-use
      "::/128", "::1/128", "100::/64", "2001::/32", "2001:db8::/32", "fc00::/7", "fe80::/10",
      "fec0::/10", "ff00::/8", "64:ff9b:1::/48");

  private final List<Cidr> allow;
  private final List<Cidr> deny;

  /** The built-in policy adjusted by {@code config}. */
  public EgressPolicy(EgressConfig config) {
    this.allow = config.allow();
    List<Cidr> d = new ArrayList<>(BUILT_IN);
    d.addAll(config.deny());
    this.deny = List.copyOf(d);
  }

  /** The reason {@code address} is denied, or null when a connection to it is allowed. */
  public String check(InetAddress address) {
    byte[] a = address.getAddress();
    byte[] embedded = embeddedIpv4(a);
    if (matches(allow, a) || embedded != null && matches(allow, embedded)) {
      return null;
    }
    if (matches(deny, a)) {
      return UrlTarget.text(address) + " is in a denied address block";
    }
    if (embedded != null && matches(deny, embedded)) {
      return UrlTarget.text(address) + " embeds a denied IPv4 address";
    }
    return null;
  }

  private static boolean matches(List<Cidr> blocks, byte[] a) {
    for (Cidr c : blocks) {
      if (c.contains(a)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The IPv4 address embedded in an IPv6 one: IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible
   * ::a.b.c.d, NAT64 64:ff9b::a.b.c.d and 6to4 2002:aabb:ccdd::; else null.
   */
  static byte[] embeddedIpv4(byte[] a) {
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

  private static List<Cidr> cidrs(String... blocks) {
    List<Cidr> out = new ArrayList<>();
    for (String b : blocks) {
      out.add(Cidr.parse(b));
    }
    return List.copyOf(out);
  }
}
