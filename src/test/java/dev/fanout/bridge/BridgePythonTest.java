package dev.fanout.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The bridge from another language: {@code src/test/python/bridge_scenarios.py} drives the client
 * users get, {@code examples/bridge/fanout_bridge.py} (Python standard library only), against a
 * real service. Skipped, saying so, only where there is no python3; {@link BridgeTest} checks the
 * same protocol from Java on every machine.
 */
@ExtendWith(VertxExtension.class)
class BridgePythonTest {
  private static final Path SCRIPT = Path.of("src/test/python/bridge_scenarios.py");

  @Test
  void python_client_fetches_handles_jobs_with_a_retry_and_is_refused(Vertx vertx) throws Exception {
    assumeTrue(python3(), "python3 is not on the PATH: the bridge's Python client is not run (BridgeTest covers "
        + "the same protocol from Java)");
    BridgeRig rig = BridgeRig.start(vertx, new JsonObject());
    Map<String, JsonObject> out = run(rig.bridgePort + "", rig.httpPort + "", rig.target.url("/ok?size=5"), "py-work");

    assertThat(out.get("fetch").getBoolean("ok")).isTrue();
    assertThat(out.get("fetch").getInteger("status")).isEqualTo(200);
    assertThat(out.get("fetch").getLong("bytes")).isEqualTo(5);

    JsonObject handler = out.get("handler");
    assertThat(handler.getJsonArray("handled")).hasSize(4);
    assertThat(rig.awaitBatch(handler.getString("batch")).getJsonObject("counts").getLong("completed"))
        .isEqualTo(3);
    JsonArray ids = handler.getJsonArray("ids");
    JsonObject retried = rig.get("/v1/jobs/" + ids.getLong(2));
    assertThat(retried.getInteger("attempt")).isEqualTo(2);
    assertThat(retried.getJsonObject("result").getInteger("doubled")).isEqualTo(6);
    assertThat(retried.getJsonArray("errors").getJsonObject(0).getString("message")).contains("asked to fail");
    assertThat(rig.get("/v1/jobs/" + ids.getLong(0)).getJsonObject("result").getInteger("doubled")).isEqualTo(2);

    assertThat(out.get("refused").getString("refused")).isEqualTo("access_denied");
    assertThat(out.get("refusedRegister").getString("refused")).isEqualTo("access_denied");
  }

  private static boolean python3() {
    try {
      Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Runs the scenarios; each printed line is one scenario's JSON, by name. */
  private static Map<String, JsonObject> run(String... args) throws IOException, InterruptedException {
    Path err = Files.createTempFile("bridge-python", ".err");
    List<String> cmd = new ArrayList<>(List.of("python3", SCRIPT.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
    String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    boolean ended = p.waitFor(120, TimeUnit.SECONDS);
    String stderr = Files.readString(err);
    Files.delete(err);
    assertThat(ended).as("python3 ended").isTrue();
    assertThat(p.exitValue()).as("python3 exit; stderr:\n" + stderr + "\nstdout:\n" + stdout).isZero();
    Map<String, JsonObject> out = new HashMap<>();
    stdout.lines().filter(l -> !l.isBlank()).map(JsonObject::new).forEach(o -> out.put(o.getString("scenario"), o));
    return out;
  }
}
