package dev.fanout;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** fanout's version, from the properties file Maven fills in at build time. */
public final class Version {
  private static final String VERSION = load();

  private Version() {}

  /** The version, such as {@code 0.1.0-SNAPSHOT}; "dev" when run outside a build. */
  public static String get() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return "dev";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "dev");
    } catch (IOException e) {
      return "dev";
    }
  }
}
