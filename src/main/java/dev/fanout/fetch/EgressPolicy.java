package dev.fanout.fetch;

import dev.fanout.config.EgressConfig;
import dev.fanout.net.Cidr;
import dev.fanout.net.Ip;
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
    byte[] embedded = Ip.embeddedIpv4(a);
    if (matches(allow, a) || embedded != null && matches(allow, embedded)) {
      return null;
    }
    if (matches(deny, a)) {
      return Ip.text(address) + " is in a denied address block" + hint(address);
    }
    if (embedded != null && matches(deny, embedded)) {
      return Ip.text(address) + " embeds a denied IPv4 address" + hint(address);
    }
    return null;
  }

  /** How to allow {@code address} after all: the command line's and the configuration's way. */
  private static String hint(InetAddress address) {
    String block = Ip.text(address) + (address.getAddress().length == 4 ? "/32" : "/128");
    return " (to allow it: --allow " + block + " with fetch, or egress.allow / FANOUT_EGRESS_ALLOW=" + block + ")";
  }

  private static boolean matches(List<Cidr> blocks, byte[] a) {
    for (Cidr c : blocks) {
      if (c.contains(a)) {
        return true;
      }
    }
    return false;
  }

  private static List<Cidr> cidrs(String... blocks) {
    List<Cidr> out = new ArrayList<>();
    for (String b : blocks) {
      out.add(Cidr.parse(b));
    }
    return List.copyOf(out);
  }
}
