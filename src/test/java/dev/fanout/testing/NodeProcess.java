package dev.fanout.testing;

import dev.fanout.Main;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test support: a fanout node as a separate JVM process ({@code dev.fanout.Main serve} on this
 * JVM's class path, with the given configuration inline), so a test can end it as an operator's
 * {@code kill -9} does. It listens on a free HTTP port of 127.0.0.1 and writes its output to
 * {@code target/node-<name>.log}; it is killed when the test JVM exits, whatever the test did.
 */
public final class NodeProcess implements AutoCloseable {
  private static final long POLL_MS = 50;

  private final Process process;
  private final int httpPort;
  private final Path log;
  private final Thread reaper;

  private NodeProcess(Process process, int httpPort, Path log) {
    this.process = process;
    this.httpPort = httpPort;
    this.log = log;
    this.reaper = new Thread(process::destroyForcibly, "node-process-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  /**
   * Starts {@code serve} with {@code extraArgs} (e.g. {@code --cluster}) and {@code conf} over the
   * defaults, its HTTP port and data directory set here. Returns once the process runs; wait for
   * {@link #ready} before using it.
   */
  public static NodeProcess start(String name, JsonObject conf, String... extraArgs) {
    try {
      Path target = Path.of("target").toAbsolutePath();
      Path dataDir = Files.createDirectories(target.resolve("node-" + name));
      Path log = target.resolve("node-" + name + ".log");
      int port = freePort();
      JsonObject full = conf.copy().put("dataDir", dataDir.toString());
      full.put("http", conf.getJsonObject("http", new JsonObject()).copy().put("port", port));
      List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
          "serve", "--conf", full.encode()));
      cmd.addAll(List.of(extraArgs));
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
      // only the configuration given counts: not the FANOUT_* of whoever runs the tests
      pb.environment().keySet().removeIf(k -> k.startsWith("FANOUT_"));
      return new NodeProcess(pb.start(), port, log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Its HTTP port on 127.0.0.1. */
  public int httpPort() {
    return httpPort;
  }

  /** Its operating-system process id. */
  public long pid() {
    return process.pid();
  }

  /**
   * Completes once {@code GET /health/ready} answers 200 (polled on {@code vertx}'s timers); fails
   * when the process exits first or after {@code timeoutMs}, with the end of its log.
   */
  public Future<Void> ready(Vertx vertx, long timeoutMs) {
    HttpClient http = vertx.createHttpClient();
    Promise<Void> p = Promise.promise();
    poll(vertx, http, System.currentTimeMillis() + timeoutMs, p);
    return p.future().eventually(http::close);
  }

  private void poll(Vertx vertx, HttpClient http, long deadline, Promise<Void> p) {
    http.request(HttpMethod.GET, httpPort, "127.0.0.1", "/health/ready")
        .compose(req -> req.send().map(HttpClientResponse::statusCode))
        .onComplete(ar -> {
          if (ar.succeeded() && ar.result() == 200) {
            p.complete();
          } else if (!process.isAlive() || System.currentTimeMillis() > deadline) {
            p.fail(new AssertionError("node process not ready (alive: " + process.isAlive() + "); its log:\n"
                + logTail()));
          } else {
            vertx.setTimer(POLL_MS, id -> poll(vertx, http, deadline, p));
          }
        });
  }

  /** The last lines of its output, to tell why it failed. */
  public String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** {@code kill -9}: SIGKILL, then waits (blocking) until the process is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("process " + process.pid() + " still alive 30 s after SIGKILL");
    }
  }

  /** Kills it if it still runs (blocking). */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
    Runtime.getRuntime().removeShutdownHook(reaper);
  }
}
