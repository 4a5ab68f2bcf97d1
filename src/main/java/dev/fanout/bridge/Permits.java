package dev.fanout.bridge;

import dev.fanout.config.BridgeConfig;
import dev.fanout.config.BridgeConfig.HandlerKind;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.bridge.PermittedOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The bridge's permissions, from the configuration only: inbound (send, publish) the addresses of
 * {@code bridge.inbound}; outbound (register) those of {@code bridge.outbound} and
 * {@code fanout.job.<kind>} of each {@code bridge.handlerKinds}. Replies need no permission: the
 * bridge lets a reply to a request the client made reach it, and a client's reply to a message it
 * received reach the sender. An exact address becomes {@code setAddress}, a {@code prefix.*} a
 * quoted regular expression; a {@link PermittedOptions} with neither would permit every address,
 * so none is ever built ({@link #check}).
 */
final class Permits {
  private static final String PREFIX_FORM = ".*";

  private Permits() {}

  static BridgeOptions of(BridgeConfig cfg) {
    List<String> outbound = new ArrayList<>(cfg.outbound());
    cfg.handlerKinds().stream().map(HandlerKind::address).forEach(outbound::add);
    BridgeOptions options = new BridgeOptions();
    cfg.inbound().forEach(a -> options.addInboundPermitted(permitted(a)));
    outbound.forEach(a -> options.addOutboundPermitted(permitted(a)));
    return options;
  }

  private static PermittedOptions permitted(String address) {
    PermittedOptions p = address.endsWith(PREFIX_FORM)
        ? new PermittedOptions().setAddressRegex(
            Pattern.quote(address.substring(0, address.length() - 1)) + ".+")
        : new PermittedOptions().setAddress(address);
    return check(p);
  }

  /** Refuses a permission that names no address: the bridge would take it as "every address". */
  static PermittedOptions check(PermittedOptions p) {
    boolean none = (p.getAddress() == null || p.getAddress().isEmpty())
        && (p.getAddressRegex() == null || p.getAddressRegex().isEmpty());
    if (none || p.getMatch() != null) {
      throw new IllegalStateException("a bridge permission must name an address: " + p.toJson());
    }
    return p;
  }
}
