package dev.fanout.config;

/** An invalid configuration value; the message names the key and stops start-up. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String key;

  /** A bad value at {@code key} (a dotted path such as {@code fetch.perHost}). */
  public ConfigException(String key, String problem) {
    super("config " + key + ": " + problem, null, false, false);
    this.key = key;
  }

  /** The dotted key that is wrong. */
  public String key() {
    return key;
  }
}
