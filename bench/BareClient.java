import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bare Vert.x HTTP client on the same target as {@code fanout fetch}: N GETs with C in flight,
 * spread over the ports, one verticle per event loop, the client options fanout's fetchers use
 * (keep-alive, TCP_NODELAY, decompression, a pool of C per host, a per-request idle timeout).
 * No event bus, no limits, no hashing, no output: the ceiling the library itself sets.
 * Run by bench/fetch.sh as {@code java -cp target/fanout.jar bench/BareClient.java N C PATH PORT...};
 * prints fanout fetch's progress and summary lines on stderr so the same parsing applies.
 */
public final class BareClient {
  public static void main(String[] args) throws Exception {
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
          client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
                  .setPort(ports[(int) (i % ports.length)]).setURI(path + "?i=" + i).setIdleTimeout(15000))
              .compose(req -> req.send().compose(resp -> resp.body()))
              .onComplete(ar -> {
                long d = done.incrementAndGet();
                if (d == 1) {
                  firstDone.set(System.nanoTime());
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
