import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * bench/cluster.sh's target: HTTP servers on 127.0.0.1, one per port (each port is one "host" to
 * fanout). {@code /dN} answers 200 with a 1 KB body after N ms ({@code /d0} at once). Each port
 * counts its requests, its requests in flight and its open connections, and keeps the maxima:
 * what the target saw, whatever the fetchers' limits say. On the control port, {@code GET /stats}
 * answers them as JSON per port and {@code POST /reset} clears the maxima and counts.
 * Run as {@code java -cp target/fanout.jar bench/ClusterTarget.java CONTROL_PORT PORT...}.
 */
public final class ClusterTarget {
  private static final String BODY = "a".repeat(1024);

  /** One port's counters. */
  static final class Host {
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger maxConnections = new AtomicInteger();

    JsonObject toJson() {
      return new JsonObject().put("requests", requests.get()).put("maxInFlight", maxInFlight.get())
          .put("maxConnections", maxConnections.get());
    }

    void reset() {
      requests.set(0);
      maxInFlight.set(inFlight.get());
      maxConnections.set(connections.get());
    }
  }

  public static void main(String[] args) {
    // one event loop: the target should take as little of the two cores as it can
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    Map<Integer, Host> hosts = new TreeMap<>();
    for (int i = 1; i < args.length; i++) {
      int port = Integer.parseInt(args[i]);
      Host h = new Host();
      hosts.put(port, h);
      vertx.createHttpServer()
          .connectionHandler(c -> {
            h.maxConnections.accumulateAndGet(h.connections.incrementAndGet(), Math::max);
            c.closeHandler(v -> h.connections.decrementAndGet());
          })
          .requestHandler(req -> serve(vertx, h, req))
          .listen(port, "127.0.0.1").await();
    }
    vertx.createHttpServer().requestHandler(req -> {
      if (req.path().equals("/reset")) {
        hosts.values().forEach(Host::reset);
      }
      JsonObject stats = new JsonObject();
      hosts.forEach((port, h) -> stats.put(String.valueOf(port), h.toJson()));
      req.response().putHeader("Content-Type", "application/json").end(stats.encode());
    }).listen(Integer.parseInt(args[0]), "127.0.0.1").await();
    System.err.println("target: ports " + hosts.keySet() + ", control " + args[0]);
  }

  private static void serve(Vertx vertx, Host h, HttpServerRequest req) {
    h.requests.incrementAndGet();
    h.maxInFlight.accumulateAndGet(h.inFlight.incrementAndGet(), Math::max);
    long ms = req.path().startsWith("/d") ? Long.parseLong(req.path().substring(2)) : 0;
    Runnable answer = () -> {
      h.inFlight.decrementAndGet();
      req.response().end(BODY);
    };
    if (ms <= 0) {
      answer.run();
    } else {
      vertx.setTimer(ms, id -> answer.run());
    }
  }
}
