package dev.fanout.faults;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Test support for the process-level fault tests: {@code fanout serve} as a child JVM on a data
 * directory and a port, its output collected (and printed when a test fails), and the ways to kill
 * it.
 */
final class ChildFanout implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  final Process process;
  final int port;
  private final List<String> output = new ArrayList<>();
  private final CountDownLatch serving = new CountDownLatch(1);

  private ChildFanout(Process process, int port) {
    this.process = process;
    this.port = port;
    Thread reader = new Thread(this::read, "child-fanout-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code fanout serve} on {@code dataDir} (its own embedded database) and {@code port}. */
  static ChildFanout start(Path dataDir, int port) throws IOException {
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-cp", cp, "dev.fanout.Main", "serve").redirectErrorStream(true);
    pb.environment().remove("FANOUT_CONF");
    pb.environment().remove("FANOUT_PG_URL");
    pb.environment().put("FANOUT_HTTP_PORT", String.valueOf(port));
    pb.environment().put("FANOUT_DATA_DIR", dataDir.toString());
    pb.environment().put("FANOUT_PG_POOL_SIZE", "2");
    pb.environment().put("FANOUT_PG_EMBEDDED_SHARED_BUFFERS_MB", "32");
    return new ChildFanout(pb.start(), port);
  }

  /** A free loopback port. */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private void read() {
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        synchronized (output) {
          output.add(line);
        }
        if (line.contains("serving on")) {
          serving.countDown();
        }
      }
    } catch (IOException e) {
      // the process is gone
    }
  }

  /** Whether it logged "serving on" within {@code timeoutMs}. */
  boolean awaitServing(long timeoutMs) throws InterruptedException {
    return serving.await(timeoutMs, TimeUnit.MILLISECONDS);
  }

  /** Its output so far, for assertion messages. */
  String output() {
    synchronized (output) {
      return String.join("\n", output);
    }
  }

  /** Sends a request; the status and body. */
  HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** SIGKILL to the JVM only (its child processes stay). */
  void killJvm() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGKILL to the JVM's child processes and then the JVM: everything that dies with a process group. */
  void killJvmAndChildren() throws InterruptedException {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    killJvm();
  }

  /** The pid recorded in {@code dataDir/pg/postmaster.pid}: the embedded server's postmaster. */
  static long postmasterPid(Path dataDir) {
    try {
      return Long.parseLong(Files.readAllLines(dataDir.resolve("pg").resolve("postmaster.pid")).get(0).trim());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** SIGTERM, then waits for it to exit (SIGKILL if it does not within 60 s). */
  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      new ProcessBuilder("kill", "-TERM", String.valueOf(process.pid())).inheritIO().start().waitFor();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
