package dev.fanout.config;

import dev.fanout.net.Cidr;
import java.util.ArrayList;
import java.util.List;

/**
 * The egress (SSRF) policy's settings ({@code egress.*}). The built-in deny list always applies;
 * {@code allow} opens blocks of it anyway (local use and tests allow {@code 127.0.0.0/8}), and
 * {@code deny} adds blocks of your own.
 *
 * @param allow blocks allowed even when the built-in list denies them
 * @param deny extra blocks to deny
 */
public record EgressConfig(List<Cidr> allow, List<Cidr> deny) {

  /** The default policy: nothing extra allowed or denied. */
  public static EgressConfig defaults() {
    return new EgressConfig(List.of(), List.of());
  }

  static EgressConfig read(ConfigReader r) {
    return new EgressConfig(cidrs(r, "egress.allow"), cidrs(r, "egress.deny"));
  }

  private static List<Cidr> cidrs(ConfigReader r, String key) {
    List<Cidr> out = new ArrayList<>();
    for (String s : r.stringList(key)) {
      try {
        out.add(Cidr.parse(s));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(key, e.getMessage());
      }
    }
    return List.copyOf(out);
  }

}
