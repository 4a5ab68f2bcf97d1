package dev.fanout.bridge;

import dev.fanout.testing.Service;
import dev.fanout.testing.TargetServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;

/**
 * Test support: the whole service with the bridge on, a target server, and blocking HTTP to the
 * service, for tests that speak the bridge protocol from their own thread (never an event loop).
 */
final class BridgeRig {
  /**
   * Handler kinds of the tests: {@code work} 4 at a time; {@code slow} one at a time, two minutes
   * each; {@code quick} one at a time, 300 ms each.
   */
  static final JsonArray KINDS =
      new JsonArray().add("work:4").add("slow:1:120000").add("quick:1:300").add("py-work:2");

  final int httpPort;
  final int bridgePort;
  final TargetServer target;
  private final HttpClient http = HttpClient.newHttpClient();
  private String token;

  private BridgeRig(int httpPort, int bridgePort, TargetServer target) {
    this.httpPort = httpPort;
    this.bridgePort = bridgePort;
    this.target = target;
  }

  /**
   * Starts the service with the bridge on a free port, quick retries (10 ms backoff), and a lease of
   * a minute: a job released only when its lease ran out would take that long to run again.
   */
  static BridgeRig start(Vertx vertx, JsonObject bridgeOverrides) {
    return start(vertx, bridgeOverrides, new JsonObject());
  }

  /** {@link #start(Vertx, JsonObject)} with more of the service's configuration ({@code api}, say). */
  static BridgeRig start(Vertx vertx, JsonObject bridgeOverrides, JsonObject more) {
    JsonObject bridge = new JsonObject().put("port", freePort()).put("handlerKinds", KINDS)
        .put("maxFrameBytes", 4096).mergeIn(bridgeOverrides);
    JsonObject overrides = new JsonObject().put("bridge", bridge)
        .put("queue", new JsonObject().put("backoffBaseMs", 10).put("backoffMaxMs", 50).put("leaseMs", 60_000)
            .put("pollMs", 50)).mergeIn(more);
    TargetServer target = await(TargetServer.start(vertx));
    int httpPort = await(Service.start(vertx, overrides));
    return new BridgeRig(httpPort, BridgeVerticle.boundPort(vertx), target);
  }

  static <T> T await(Future<T> f) {
    return f.timeout(60, TimeUnit.SECONDS).await();
  }

  /** A port free now (the bridge's port 0 means off, so the tests pick one). */
  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  JsonObject post(String path, JsonObject body) {
    return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body.encode())));
  }

  JsonObject get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  /** Sends {@code Authorization: Bearer token} on this rig's HTTP requests from now on. */
  BridgeRig authorized(String token) {
    this.token = token;
    return this;
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + httpPort + path);
  }

  private JsonObject send(HttpRequest.Builder req) {
    try {
      if (token != null) {
        req.header("Authorization", "Bearer " + token);
      }
      HttpResponse<String> resp = http.send(req.header("Content-Type", "application/json").build(),
          HttpResponse.BodyHandlers.ofString());
      if (resp.statusCode() >= 300) {
        throw new AssertionError(resp.statusCode() + " " + resp.body());
      }
      return new JsonObject(resp.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Waits (the API's long poll, no sleeps) until the batch is done; returns it. */
  JsonObject awaitBatch(String batch) {
    for (int i = 0; i < 6; i++) {
      JsonObject b = get("/v1/batches/" + batch + "?wait=10");
      if (b.getBoolean("done")) {
        return b;
      }
    }
    throw new AssertionError("batch " + batch + " not done in a minute");
  }
}
