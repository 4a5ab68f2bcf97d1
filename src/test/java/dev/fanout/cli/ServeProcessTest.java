package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fanout serve} as a real process: starts, answers, and stops on SIGTERM with exit code 0. */
class ServeProcessTest {
  @TempDir Path dataDir;

  @Test
  void sigterm_stops_gracefully_with_exit_code_0() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-cp", cp, "dev.fanout.Main", "serve").redirectErrorStream(true);
    pb.environment().remove("FANOUT_CONF");
    pb.environment().put("FANOUT_HTTP_PORT", String.valueOf(port));
    pb.environment().remove("FANOUT_PG_URL");
    pb.environment().put("FANOUT_DATA_DIR", dataDir.toString()); // its own embedded database
    Process p = pb.start();
    List<String> output = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        output.add(line);
        if (line.contains("serving on")) {
          break;
        }
      }
      assertThat(output).anySatisfy(l -> assertThat(l).contains("serving on http://127.0.0.1:" + port));
      HttpResponse<String> ready = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(ready.statusCode()).isEqualTo(200);

      // SIGTERM (Process.destroy would also close our end of its output)
      new ProcessBuilder("kill", "-TERM", String.valueOf(p.pid())).inheritIO().start().waitFor();
      while ((line = out.readLine()) != null) {
        output.add(line);
      }
    } finally {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    assertThat(p.exitValue()).as(String.join("\n", output)).isZero();
    assertThat(output).anySatisfy(l -> assertThat(l).contains("stopped"));
    assertThat(output).anySatisfy(l -> assertThat(l).contains("database: embedded PostgreSQL in " + dataDir));
    assertThat(dataDir.resolve("pg").resolve("PG_VERSION")).exists();
  }
}
