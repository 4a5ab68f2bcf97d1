package dev.fanout.web;

import dev.fanout.config.ConfigException;
import dev.fanout.config.FanoutConfig;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rule for an API other machines can reach: serving on an address that is not loopback with
 * no {@code api.tokens} is refused at start (exit 2) unless {@code http.allowOpen} says it is meant,
 * and then it is logged loudly. Anyone who reaches an open port can make fanout fetch and enqueue.
 */
public final class OpenBind {
  private static final Logger LOG = LoggerFactory.getLogger(OpenBind.class);

  private OpenBind() {}

  /** Fails with a {@link ConfigException} on {@code http.host} when the rule refuses {@code cfg}. */
  public static void check(FanoutConfig cfg) {
    String host = cfg.http().host();
    if (cfg.api().protectedByTokens() || loopback(host)) {
      return;
    }
    if (!cfg.http().allowOpen()) {
      throw new ConfigException("http.host", host + " is reachable from other machines and no api.tokens are "
          + "set: anyone reaching it could make fanout fetch and enqueue. Set FANOUT_API_TOKENS (see "
          + "docs/operations.md, \"Access\"), or http.allowOpen=true (FANOUT_HTTP_ALLOW_OPEN) to serve it open");
    }
    LOG.warn("the HTTP API on {} is OPEN to every machine that reaches it (http.allowOpen, no api.tokens): "
        + "anyone can make fanout fetch and enqueue", host);
  }

  /** Whether {@code host} is a loopback name or literal (an unknown name counts as reachable). */
  static boolean loopback(String host) {
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (h.equalsIgnoreCase("localhost")) {
      return true;
    }
    byte[] ip = NetUtil.createByteArrayFromIpAddressString(h);
    try {
      return ip != null && InetAddress.getByAddress(ip).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
