package dev.fanout.config;

import io.vertx.core.Future;
import java.net.BindException;

/**
 * A listen that failed because its port is taken, told in one line that names the port and the
 * setting that changes it (instead of Netty's {@code bind(..) failed with error(-98)}).
 */
public final class PortInUse {
  private PortInUse() {}

  /**
   * {@code failure} as a {@link ConfigException} on {@code key} when it says the address is in use
   * (a {@link BindException}, or the native transport's error of the same meaning), else as it is.
   */
  public static <T> Future<T> explain(Throwable failure, String key, String env, String host, int port) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage());
      if (t instanceof BindException || m.contains("Address already in use")) {
        return Future.failedFuture(new ConfigException(key, "port " + port + " on " + host
            + " is in use by another program: stop it, or choose another port with " + key + " (" + env + ")"));
      }
    }
    return Future.failedFuture(failure);
  }
}
