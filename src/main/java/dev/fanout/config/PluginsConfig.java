package dev.fanout.config;

import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.List;

/**
 * Where user verticles come from ({@code plugins.dir}) and which are deployed at start
 * ({@code deploy}, a top-level list of {@code {"class", "instances", "config", "threadingModel"}}
 * objects or {@code "CLASS[:INSTANCES]"} strings; from the environment, {@code FANOUT_DEPLOY},
 * a comma-separated list of the strings).
 *
 * @param dir the plugins directory: every jar in it is on the plugins' class loader
 * @param deploy the user verticles deployed after fanout's own, in order
 */
public record PluginsConfig(String dir, List<DeploySpec> deploy) {

  /** This configuration with {@code more} deployed after the configured ones. */
  public PluginsConfig plus(List<DeploySpec> more) {
    List<DeploySpec> all = new ArrayList<>(deploy);
    all.addAll(more);
    return new PluginsConfig(dir, List.copyOf(all));
  }

  static PluginsConfig read(ConfigReader r) {
    return new PluginsConfig(r.string("plugins.dir"), deploy(r.raw("deploy")));
  }

  private static List<DeploySpec> deploy(Object v) {
    List<DeploySpec> out = new ArrayList<>();
    if (v instanceof String s) {
      String[] parts = s.split(",");
      for (int i = 0; i < parts.length; i++) {
        if (!parts[i].isBlank()) {
          out.add(DeploySpec.parse(parts[i], "deploy[" + i + "]", 1, ConfigException::new));
        }
      }
    } else if (v instanceof JsonArray a) {
      for (int i = 0; i < a.size(); i++) {
        out.add(DeploySpec.read(a.getValue(i), "deploy[" + i + "]", 1, ConfigException::new));
      }
    } else {
      throw new ConfigException("deploy", "must be a list of {\"class\", ...} objects or \"CLASS[:N]\" strings");
    }
    return List.copyOf(out);
  }
}
