package dev.fanout.config;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Where user verticles come from ({@code plugins.dir}) and which are deployed at start
 * ({@code deploy}, a top-level list of {@code {"class", "instances", "config", "threadingModel"}}).
 *
 * @param dir the plugins directory: every jar in it is on fanout's class path at start
 * @param deploy the user verticles deployed after fanout's own, in order
 */
public record PluginsConfig(String dir, List<JsonObject> deploy) {

  static PluginsConfig read(ConfigReader r) {
    // a stub: the list's entries are read and checked by the plugins work
    return new PluginsConfig(r.string("plugins.dir"), List.of());
  }
}
