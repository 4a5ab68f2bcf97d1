package dev.fanout.cli;

import dev.fanout.config.FanoutConfig;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code <dataDir>/serving.json}: where a running {@code serve} listens ({@code {url, pid}}),
 * written once it serves and removed when it stops, so {@code enqueue} finds it whatever its
 * port. A file left by a process that is gone ({@code kill -9}) is ignored. Touched only from
 * the command's own thread, never an event loop.
 */
final class ServingFile {
  private static final Logger LOG = LoggerFactory.getLogger(ServingFile.class);
  private static final String NAME = "serving.json";

  private ServingFile() {}

  /** Notes that this process serves on {@code port}; a failure to write is logged, not fatal. */
  static void write(FanoutConfig cfg, int port) {
    String host = switch (cfg.http().host()) {
      case "0.0.0.0" -> "127.0.0.1";
      case "::", "[::]" -> "[::1]";
      default -> cfg.http().host().contains(":") ? "[" + cfg.http().host() + "]" : cfg.http().host();
    };
    JsonObject serving = new JsonObject().put("url", "http://" + host + ":" + port)
        .put("pid", ProcessHandle.current().pid());
    try {
      Path dir = Files.createDirectories(Path.of(cfg.store().dataDir()));
      Files.writeString(dir.resolve(NAME), serving.encode(), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not write {} in {}: {} (enqueue will need --url)", NAME, cfg.store().dataDir(), e.toString());
    }
  }

  /** Removes the file if it is this process's. */
  static void remove(FanoutConfig cfg) {
    Path file = Path.of(cfg.store().dataDir(), NAME);
    if (read(file).map(s -> s.getLong("pid", -1L) == ProcessHandle.current().pid()).orElse(false)) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        LOG.debug("could not remove {}: {}", file, e.toString());
      }
    }
  }

  /** The URL of the fanout serving from {@code cfg}'s data directory, if one is running. */
  static Optional<String> url(FanoutConfig cfg) {
    return read(Path.of(cfg.store().dataDir(), NAME))
        .filter(s -> ProcessHandle.of(s.getLong("pid", -1L)).map(ProcessHandle::isAlive).orElse(false))
        .map(s -> s.getString("url"));
  }

  private static Optional<JsonObject> read(Path file) {
    try {
      return Optional.of(new JsonObject(Files.readString(file, StandardCharsets.UTF_8)));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
