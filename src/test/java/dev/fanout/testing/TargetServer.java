package dev.fanout.testing;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;

/**
 * A real HTTP server on 127.0.0.1 to fetch from, with the misbehaviours fetchers must survive.
 * Each server is one "host" (host and port). Routes (query parameters in brackets):
 * <ul>
 *   <li>{@code /ok[size,close,keepalive]} 200 with size bytes of 'x' (with close, Connection: close;
 *       with keepalive=N, Keep-Alive: timeout=N); {@code /status[code]} that status
 *   <li>{@code /delay[ms,size]} 200 after ms milliseconds
 *   <li>{@code /seq[key,codes,ra]} the i-th request for key answers the i-th code (the last repeats),
 *       non-2xx ones with Retry-After: ra when given
 *   <li>{@code /reset[after]} sends headers and after bytes, then closes the connection
 *   <li>{@code /endless} an endless chunked body; {@code /drip[ms,bytes,stall]} one byte every ms
 *       (with stall=1, silence after the last byte instead of the end)
 *   <li>{@code /hang} never answers
 *   <li>{@code /redirect[n]} a chain of n redirects; {@code /loop} redirects to itself;
 *       {@code /to[url,code,ms]} redirects to url (after ms milliseconds)
 *   <li>{@code /big[size]} announces Content-Length size and sends it; {@code /gzip[size]} size bytes, gzipped
 *   <li>{@code /echo} answers method, headers and body as JSON
 * </ul>
 * It counts connections, requests, and requests in flight (now and the maximum seen), and keeps
 * the arrival time of every request per path and key.
 */
public final class TargetServer {
  private final Vertx vertx;
  private HttpServer server;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final AtomicInteger shared;
  private final AtomicInteger sharedMax;
  private final Map<String, AtomicInteger> seq = new ConcurrentHashMap<>();
  private final Map<String, List<Long>> arrivals = new ConcurrentHashMap<>();

  private TargetServer(Vertx vertx, AtomicInteger shared, AtomicInteger sharedMax) {
    this.vertx = vertx;
    this.shared = shared;
    this.sharedMax = sharedMax;
  }

  /** Starts a server on 127.0.0.1 and a free port. */
  public static Future<TargetServer> start(Vertx vertx) {
    return start(vertx, new AtomicInteger(), new AtomicInteger());
  }

  /** Starts a server that also counts into in-flight counters shared with other servers. */
  public static Future<TargetServer> start(Vertx vertx, AtomicInteger sharedInFlight, AtomicInteger sharedMax) {
    TargetServer t = new TargetServer(vertx, sharedInFlight, sharedMax);
    t.server = vertx.createHttpServer()
        .connectionHandler(c -> t.connections.incrementAndGet())
        .requestHandler(t::handle);
    return t.server.listen(0, "127.0.0.1").map(s -> t);
  }

  /** Starts {@code n} servers (n hosts) counting into shared in-flight counters. */
  public static Future<List<TargetServer>> startMany(Vertx vertx, int n,
      AtomicInteger sharedInFlight, AtomicInteger sharedMax) {
    List<Future<TargetServer>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(start(vertx, sharedInFlight, sharedMax));
    }
    return Future.all(all).map(cf -> cf.<TargetServer>list());
  }

  /** {@code rounds} GETs of {@code pathAndQuery} at every one of {@code targets}, interleaved. */
  public static List<JsonObject> specs(List<TargetServer> targets, int rounds, String pathAndQuery) {
    List<JsonObject> out = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      targets.forEach(t -> out.add(new JsonObject().put("url", t.url(pathAndQuery))));
    }
    return out;
  }

  public int port() {
    return server.actualPort();
  }

  /** {@code http://127.0.0.1:PORT} + path. */
  public String url(String pathAndQuery) {
    return "http://127.0.0.1:" + port() + pathAndQuery;
  }

  public int connections() {
    return connections.get();
  }

  public int requests() {
    return requests.get();
  }

  public int inFlight() {
    return inFlight.get();
  }

  public int maxInFlight() {
    return maxInFlight.get();
  }

  /** Arrival times (System.nanoTime) of requests for a path, or for {@code /seq?key=K} of "K". */
  public List<Long> arrivals(String key) {
    return arrivals.getOrDefault(key, List.of());
  }

  public Future<Void> close() {
    return server.close();
  }

  private void handle(HttpServerRequest req) {
    requests.incrementAndGet();
    MultiMap q = req.params();
    String key = q.get("key") != null ? q.get("key") : req.path();
    arrivals.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(System.nanoTime());
    max(maxInFlight, inFlight.incrementAndGet());
    max(sharedMax, shared.incrementAndGet());
    HttpServerResponse resp = req.response();
    boolean[] counted = {true};
    Runnable done = () -> {
      if (counted[0]) {
        counted[0] = false;
        inFlight.decrementAndGet();
        shared.decrementAndGet();
      }
    };
    // A whole response (not chunked) is counted out as its headers go, just before its bytes do:
    // Vert.x runs endHandler only after writing them, and meanwhile the client may end its fetch
    // and start the next one, which another event loop counts (a host seemed to have one too many).
    resp.headersEndHandler(v -> {
      if (!resp.isChunked()) {
        done.run();
      }
    });
    resp.endHandler(v -> done.run());
    resp.closeHandler(v -> done.run());
    req.connection().closeHandler(v -> done.run());
    req.body().onSuccess(body -> route(req, resp, q, key, body));
  }

  private void route(HttpServerRequest req, HttpServerResponse resp, MultiMap q, String key, Buffer body) {
    switch (req.path()) {
      case "/ok" -> {
        if (q.contains("close")) {
          resp.putHeader("Connection", "close");
        }
        if (q.contains("keepalive")) {
          resp.putHeader("Keep-Alive", "timeout=" + q.get("keepalive"));
        }
        resp.end(bytes(intParam(q, "size", 16)));
      }
      case "/status" -> resp.setStatusCode(intParam(q, "code", 200)).end();
      case "/delay" -> vertx.setTimer(intParam(q, "ms", 10), id -> {
        if (!resp.closed()) {
          resp.end(bytes(intParam(q, "size", 16)));
        }
      });
      case "/seq" -> sequence(resp, q, key);
      case "/reset" -> {
        resp.setChunked(true).write(bytes(intParam(q, "after", 10)));
        vertx.setTimer(20, id -> req.connection().close());
      }
      case "/endless" -> endless(resp.setChunked(true));
      case "/drip" -> drip(resp.setChunked(true), intParam(q, "ms", 100), intParam(q, "bytes", Integer.MAX_VALUE),
          intParam(q, "stall", 0) == 1);
      case "/hang" -> { }
      case "/redirect" -> {
        int n = intParam(q, "n", 1);
        if (n <= 0) {
          resp.end("done");
        } else {
          resp.setStatusCode(302).putHeader("Location", "/redirect?n=" + (n - 1)).end();
        }
      }
      case "/loop" -> resp.setStatusCode(302).putHeader("Location", "/loop").end();
      case "/to" -> vertx.setTimer(Math.max(1, intParam(q, "ms", 0)), id -> {
        if (!resp.closed()) {
          resp.setStatusCode(intParam(q, "code", 302)).putHeader("Location", q.get("url")).end();
        }
      });
      case "/gzip" -> resp.putHeader("Content-Encoding", "gzip").end(gzip(bytes(intParam(q, "size", 16))));
      case "/big" -> {
        int size = intParam(q, "size", 1 << 20);
        resp.putHeader("Content-Length", String.valueOf(size)).end(bytes(size));
      }
      case "/echo" -> {
        JsonObject headers = new JsonObject();
        req.headers().forEach(e -> headers.put(e.getKey().toLowerCase(), e.getValue()));
        resp.putHeader("Content-Type", "application/json; charset=utf-8").end(new JsonObject()
            .put("method", req.method().name()).put("uri", req.uri()).put("headers", headers)
            .put("body", body.toString()).encode());
      }
      default -> resp.setStatusCode(404).end();
    }
  }

  private void sequence(HttpServerResponse resp, MultiMap q, String key) {
    String[] codes = q.get("codes").split(",");
    int i = seq.computeIfAbsent(key, k -> new AtomicInteger()).getAndIncrement();
    int code = Integer.parseInt(codes[Math.min(i, codes.length - 1)]);
    resp.setStatusCode(code);
    if (code >= 300 && q.get("ra") != null) {
      resp.putHeader("Retry-After", q.get("ra"));
    }
    resp.end("attempt " + (i + 1));
  }

  private void endless(HttpServerResponse resp) {
    // one chunk at a time, the next when the last is written: never spins the event loop
    if (!resp.closed()) {
      resp.write(bytes(16 * 1024)).onSuccess(v -> endless(resp));
    }
  }

  private void drip(HttpServerResponse resp, int ms, int left, boolean stall) {
    if (resp.closed()) {
      return;
    }
    if (left <= 0) {
      if (!stall) {
        resp.end();
      }
      return;
    }
    resp.write("x");
    vertx.setTimer(ms, id -> drip(resp, ms, left - 1, stall));
  }

  private static Buffer gzip(Buffer plain) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(plain.getBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Buffer.buffer(out.toByteArray());
  }

  private static Buffer bytes(int n) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) 'x');
    return Buffer.buffer(b);
  }

  private static int intParam(MultiMap q, String name, int dflt) {
    String v = q.get(name);
    return v == null ? dflt : Integer.parseInt(v);
  }

  private static void max(AtomicInteger max, int value) {
    max.accumulateAndGet(value, Math::max);
  }
}
