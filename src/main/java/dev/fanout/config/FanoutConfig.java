package dev.fanout.config;

import dev.fanout.bus.JsonSyntax;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The whole configuration, parsed once into typed records.
 *
 * <p>Layers, each overriding the one before: the defaults bundled in the jar (the project's
 * {@code conf/config.json}), the file given with {@code --conf} (or {@code FANOUT_CONF}), the
 * environment ({@code fetch.perHost} is {@code FANOUT_FETCH_PER_HOST}; lists are comma-separated),
 * and system properties ({@code -Dfanout.fetch.perHost=8}). Every key of the defaults has an
 * environment variable, derived by that rule, so none has to be listed by hand.
 *
 * @param eventLoops Vert.x event-loop threads; 0 means one per core
 * @param http the HTTP server
 * @param fetch the fetcher pool
 * @param egress the SSRF policy
 * @param gather limits of gather requests
 * @param cli the fetch command
 * @param store the database
 * @param queue the job queue
 * @param plugins the plugins directory and the user verticles deployed at start
 * @param admin deploying verticles at run time
 * @param bridge the TCP event-bus bridge
 * @param cluster the cluster this node joins, if any
 * @param api tokens, scopes, rate limits and CORS of the HTTP API (and the bridge's tokens)
 * @param events the live event stream ({@code GET /v1/events})
 */
public record FanoutConfig(int eventLoops, HttpConfig http, FetchConfig fetch, EgressConfig egress,
    GatherConfig gather, CliConfig cli, StoreConfig store, QueueConfig queue, PluginsConfig plugins,
    AdminConfig admin, BridgeConfig bridge, ClusterConfig cluster, ApiConfig api,
    EventsConfig events) {

  /** The resource holding the defaults. */
  public static final String DEFAULTS_RESOURCE = "conf/config.json";
  private static final String ENV_PREFIX = "FANOUT_";
  private static final String SYS_PREFIX = "fanout.";

  /** Parses merged configuration JSON; fails with {@link ConfigException} naming the bad key. */
  public static FanoutConfig fromJson(JsonObject json) {
    ConfigReader r = new ConfigReader(json);
    return new FanoutConfig(
        r.intIn("vertx.eventLoops", 0, 1024),
        HttpConfig.read(r),
        FetchConfig.read(r),
        EgressConfig.read(r),
        GatherConfig.read(r),
        CliConfig.read(r),
        StoreConfig.read(r),
        QueueConfig.read(r),
        PluginsConfig.read(r),
        AdminConfig.read(r),
        BridgeConfig.read(r),
        ClusterConfig.read(r),
        ApiConfig.read(r),
        EventsConfig.read(r));
  }

  /** The bundled defaults, as JSON. */
  public static JsonObject defaults() {
    try (InputStream in = FanoutConfig.class.getClassLoader().getResourceAsStream(DEFAULTS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULTS_RESOURCE + " is missing from the classpath");
      }
      return new JsonObject(Buffer.buffer(in.readAllBytes()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Loads the layered configuration as JSON (see the class comment). Fails with
   * {@link ConfigException} when the file is unreadable, is not JSON, or has a key the defaults
   * do not know (a typo would otherwise be ignored silently). Reads the file synchronously: call
   * it before Vert.x starts, or off the event loop.
   *
   * @param file the file to overlay, or inline JSON (starting with '{'), or null for defaults +
   *     environment only
   */
  public static JsonObject load(String file, Map<String, String> env, Map<String, String> sys) {
    JsonObject defaults = defaults();
    JsonObject overlay = file == null ? new JsonObject() : overlay(file);
    checkKnown(defaults, overlay, "");
    JsonObject merged = defaults.copy().mergeIn(overlay, true);
    for (String key : leafKeys(defaults, "")) {
      String fromEnv = env.get(envName(key));
      String fromSys = sys.get(SYS_PREFIX + key);
      String value = fromSys != null ? fromSys : fromEnv;
      if (value != null) {
        put(merged, key, value);
      }
    }
    return merged;
  }

  /** {@link #load(String, Map, Map)} with the process environment and system properties. */
  public static JsonObject load(String file) {
    Map<String, String> sys = new HashMap<>();
    System.getProperties().forEach((k, v) -> sys.put(String.valueOf(k), String.valueOf(v)));
    return load(file, System.getenv(), sys);
  }

  /** {@code --conf}'s value: inline JSON when it starts with '{' (as the Vert.x launcher reads it), else a file. */
  private static JsonObject overlay(String conf) {
    if (conf.stripLeading().startsWith("{")) {
      return parse("the inline JSON", Buffer.buffer(conf));
    }
    return parse(conf, read(conf));
  }

  private static Buffer read(String file) {
    try {
      return Buffer.buffer(Files.readAllBytes(Path.of(file)));
    } catch (IOException | InvalidPathException e) {
      throw new ConfigException("--conf", "cannot read " + file + ": " + e);
    }
  }

  /** The environment variable for a dotted key: {@code fetch.perHost} → {@code FANOUT_FETCH_PER_HOST}. */
  public static String envName(String key) {
    String snake = key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('.', '_');
    return ENV_PREFIX + snake.toUpperCase(Locale.ROOT);
  }

  /** Every leaf key of the defaults, dotted ({@code fetch.perHost}). */
  public static List<String> leafKeys(JsonObject json, String prefix) {
    List<String> out = new ArrayList<>();
    for (String name : json.fieldNames()) {
      Object v = json.getValue(name);
      if (v instanceof JsonObject o) {
        out.addAll(leafKeys(o, prefix + name + "."));
      } else {
        out.add(prefix + name);
      }
    }
    return out;
  }

  private static JsonObject parse(String file, Buffer buf) {
    try {
      return buf.toJsonObject();
    } catch (DecodeException | ClassCastException e) {
      throw new ConfigException("--conf", file + " is not a JSON object: " + JsonSyntax.message(e));
    }
  }

  private static void checkKnown(JsonObject defaults, JsonObject overlay, String prefix) {
    for (String name : overlay.fieldNames()) {
      String key = prefix + name;
      if (!defaults.containsKey(name)) {
        throw new ConfigException(key, "unknown key (see docs/configuration.md)");
      }
      Object d = defaults.getValue(name);
      Object o = overlay.getValue(name);
      if (d instanceof JsonObject dj) {
        if (!(o instanceof JsonObject oj)) {
          throw new ConfigException(key, "must be an object");
        }
        checkKnown(dj, oj, key + ".");
      }
    }
  }

  private static void put(JsonObject root, String key, String value) {
    String[] parts = key.split("\\.");
    JsonObject cur = root;
    for (int i = 0; i < parts.length - 1; i++) {
      cur = cur.getJsonObject(parts[i]);
    }
    cur.put(parts[parts.length - 1], value);
  }
}
