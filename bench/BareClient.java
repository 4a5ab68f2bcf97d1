import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bare Vert.x HTTP client on the same target as {@code fanout fetch}: N GETs with C in flight,
 * spread over the ports, one verticle per event loop, the client options fanout's fetchers use
 * (keep-alive, TCP_NODELAY, decompression, a pool of C per host, a per-request idle timeout).
 * No event bus, no limits, no hashing, no output: the ceiling the library itself sets.
 * With {@code -Dbare.lines=true} it also does the work each of fanout's result lines requires by
 * contract, and nothing else: the SHA-256 of the body, the response headers (lowercase names,
 * repeats joined), one JSON line of the same members per URL on stdout (Jackson, as fanout writes
 * it). The gap between the two modes is the price of the output; fanout's gap to the second is its own.
 * Run by bench/fetch.sh as {@code java -cp target/fanout.jar bench/BareClient.java N C PATH PORT...};
 * prints fanout fetch's progress and summary lines on stderr so the same parsing applies.
 */
public final class BareClient {
  private static final JsonFactory JSON = new JsonFactory();
  private static final HexFormat HEX = HexFormat.of();
  private static final OutputStream OUT = System.out;

  /** One event loop's result lines, written out in blocks of about 64 KiB (under a lock: one stdout). */
  static final class Lines {
    final ByteArrayOutputStream buf = new ByteArrayOutputStream(80 * 1024);
    final MessageDigest sha;

    Lines() {
      try {
        sha = MessageDigest.getInstance("SHA-256");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    void add(String url, HttpClientResponse resp, Buffer body, long elapsedMs) {
      sha.update(body.getBytes());
      Map<String, String> headers = new LinkedHashMap<>();
      resp.headers().forEach(h -> headers.merge(h.getKey().toLowerCase(Locale.ROOT), h.getValue(), (a, b) -> a + ", " + b));
      try (JsonGenerator g = JSON.createGenerator(buf, JsonEncoding.UTF8)) {
        g.writeStartObject();
        g.writeStringField("url", url);
        g.writeStringField("finalUrl", url);
        g.writeBooleanField("ok", resp.statusCode() / 100 == 2);
        g.writeNumberField("status", resp.statusCode());
        g.writeObjectFieldStart("headers");
        for (Map.Entry<String, String> e : headers.entrySet()) {
          g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
        g.writeNumberField("bytes", body.length());
        g.writeStringField("sha256", HEX.formatHex(sha.digest()));
        g.writeNumberField("attempts", 1);
        g.writeNumberField("redirects", 0);
        g.writeNumberField("elapsedMs", elapsedMs);
        g.writeEndObject();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      buf.write('\n');
      if (buf.size() >= 64 * 1024) {
        flush();
      }
    }

    void flush() {
      synchronized (OUT) {
        try {
          buf.writeTo(OUT);
          OUT.flush();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      buf.reset();
    }
  }

  public static void main(String[] args) throws Exception {
    boolean lines = Boolean.getBoolean("bare.lines");
    long n = Long.parseLong(args[0]);
    int c = Integer.parseInt(args[1]);
    String path = args[2];
    int[] ports = new int[args.length - 3];
    for (int i = 3; i < args.length; i++) {
      ports[i - 3] = Integer.parseInt(args[i]);
    }
    int loops = Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops));
    AtomicLong issued = new AtomicLong();
    AtomicLong done = new AtomicLong();
    AtomicLong firstDone = new AtomicLong();
    CountDownLatch finished = new CountDownLatch(1);
    long start = System.nanoTime();
    for (int l = 0; l < loops; l++) {
      int share = c / loops + (l < c % loops ? 1 : 0);
      vertx.deployVerticle(new VerticleBase() {
        HttpClient client;
        final Lines out = lines ? new Lines() : null;

        @Override
        public Future<?> start() {
          client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
                  .setDecompressionSupported(true).setConnectTimeout(5000),
              new PoolOptions().setHttp1MaxSize(c).setMaxWaitQueueSize(c * 4 + 16));
          for (int i = 0; i < share; i++) {
            next();
          }
          return Future.succeededFuture();
        }

        void next() {
          long i = issued.getAndIncrement();
          if (i >= n) {
            return;
          }
          int port = ports[(int) (i % ports.length)];
          long t0 = lines ? System.nanoTime() : 0;
          client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
                  .setPort(port).setURI(path + "?i=" + i).setIdleTimeout(15000))
              .compose(req -> req.send().compose(resp -> resp.body().map(body -> {
                if (out != null) {
                  out.add("http://127.0.0.1:" + port + path + "?i=" + i, resp, body, (System.nanoTime() - t0) / 1_000_000);
                }
                return body;
              })))
              .onComplete(ar -> {
                long d = done.incrementAndGet();
                if (d == 1) {
                  firstDone.set(System.nanoTime());
                }
                if (issued.get() >= n && out != null) {
                  out.flush(); // this loop's last lines (a loop with nothing more to issue)
                }
                if (d == n) {
                  finished.countDown();
                }
                next();
              });
        }
      }).await();
    }
    while (!finished.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
      System.err.println("progress: " + done.get() + "/" + n);
    }
    long end = System.nanoTime();
    double secs = (end - start) / 1e9;
    System.err.printf("fetched %d urls in %.1f s (%d/s): %d ok, 0 failed%n", n, secs, Math.round(n / secs), n);
    // what bench/fetch.sh --cold compares: the results from the first to the last (fanout's are timed on stdout)
    double span = (end - firstDone.get()) / 1e9;
    System.err.printf("first to last: %.3f s (%d/s)%n", span, Math.round((n - 1) / span));
    vertx.close().await();
  }
}
