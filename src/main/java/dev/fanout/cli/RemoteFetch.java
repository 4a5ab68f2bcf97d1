package dev.fanout.cli;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.BufferedReader;
import java.io.IOException;

/**
 * {@code fanout fetch --via}: the input streamed to a running fanout in one request
 * ({@code POST /v1/fetch}, NDJSON both ways), each result line handed to the same sink as a
 * local run's. Both directions keep backpressure: the input is read (on a worker, since it
 * blocks) only while the request can take more, and the response is paused while the sink is
 * full. Runs on the context it is started on, as the sink does.
 */
final class RemoteFetch {
  private static final String NDJSON = "application/x-ndjson";
  private static final int CHUNK = 64 * 1024;
  private static final Buffer STATS = Buffer.buffer("{\"stats\"");

  private final Vertx vertx;
  private final String base;
  private final String token;
  private HttpClient http;
  private boolean stats;

  RemoteFetch(Vertx vertx, String base, String token) {
    this.vertx = vertx;
    this.base = base;
    this.token = token;
  }

  /**
   * Sends every line of {@code input} with the gather settings of {@code query}; completes once
   * the last result reached {@code sink}. Fails with {@link Via.Refused} when the server answers
   * with an error status, else with what broke the exchange.
   */
  Future<Void> run(BufferedReader input, String query, LineSink sink) {
    Context ctx = vertx.getOrCreateContext();
    http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(5000));
    RequestOptions opts = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(base + "/v1/fetch?" + query)
        .putHeader(HttpHeaders.CONTENT_TYPE, NDJSON).putHeader(HttpHeaders.ACCEPT, NDJSON);
    if (token != null) {
      opts.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token);
    }
    Promise<Void> done = Promise.promise();
    http.request(opts).onFailure(done::tryFail).onSuccess(req -> {
      req.setChunked(true);
      req.response().onFailure(done::tryFail).onSuccess(resp -> read(ctx, resp, sink, done));
      send(req, input, done);
    });
    return done.future()
        .recover(e -> Future.failedFuture(e instanceof Via.Refused ? e : new Broken(base, e)))
        .eventually(() -> http.close());
  }

  /** The exchange with the server broke (unreachable, reset, cut short): exit 1. */
  static final class Broken extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Broken(String base, Throwable cause) {
      super("fetching through the fanout at " + base + " failed: " + why(cause), null, false, false);
    }

    private static String why(Throwable e) {
      String m = String.valueOf(e.getMessage());
      return m.contains("Connection refused") ? "connection refused" : m;
    }
  }

  /** Writes the input a chunk of lines at a time, each read once the request can take it. */
  private void send(HttpClientRequest req, BufferedReader input, Promise<Void> done) {
    if (done.future().isComplete()) {
      return; // answered already (an error status): the rest of the input is not wanted
    }
    vertx.executeBlocking(() -> chunk(input)).onComplete(ar -> {
      if (ar.failed()) {
        done.tryFail(ar.cause());
        req.reset(0, ar.cause());
      } else if (ar.result() == null) {
        req.end();
      } else {
        req.write(ar.result());
        if (req.writeQueueFull()) {
          req.drainHandler(v -> send(req, input, done));
        } else {
          send(req, input, done);
        }
      }
    });
  }

  /** Up to about 64 KiB of whole lines, or null at the end; blocking. */
  private static Buffer chunk(BufferedReader input) throws IOException {
    StringBuilder sb = new StringBuilder(CHUNK + 1024);
    String line;
    while (sb.length() < CHUNK && (line = input.readLine()) != null) {
      sb.append(line).append('\n');
    }
    return sb.length() == 0 ? null : Buffer.buffer(sb.toString());
  }

  private void read(Context ctx, HttpClientResponse resp, LineSink sink, Promise<Void> done) {
    if (resp.statusCode() != 200) {
      resp.body().onComplete(b -> done.tryFail(new Via.Refused(base, resp.statusCode(),
          b.succeeded() ? b.result().toString() : "")));
      return;
    }
    new Lines(ctx, resp, sink, done).start();
  }

  /**
   * The response's lines to the sink, the response paused while the sink is full. (Not
   * RecordParser: paused when the response ends, it signals its end before the lines it holds.)
   */
  private final class Lines {
    private final Context ctx;
    private final HttpClientResponse resp;
    private final LineSink sink;
    private final Promise<Void> done;
    private Buffer buf = Buffer.buffer();
    private int pos;
    private int scanned;
    private boolean paused;
    private boolean ended;
    private long index;

    Lines(Context ctx, HttpClientResponse resp, LineSink sink, Promise<Void> done) {
      this.ctx = ctx;
      this.resp = resp;
      this.sink = sink;
      this.done = done;
    }

    void start() {
      resp.exceptionHandler(done::tryFail);
      resp.endHandler(v -> {
        ended = true;
        drain();
      });
      resp.handler(b -> {
        buf.appendBuffer(b);
        drain();
      });
    }

    private void drain() {
      while (!paused && !done.future().isComplete()) {
        int nl = newline();
        if (nl < 0) {
          break;
        }
        line(buf.getBuffer(pos, nl));
        pos = nl + 1;
        if (sink.full()) {
          paused = true;
          resp.pause();
          sink.onDrain(() -> ctx.runOnContext(v -> {
            paused = false;
            resp.resume();
            drain();
          }));
        }
      }
      if (pos > 0) {
        buf = buf.getBuffer(pos, buf.length());
        scanned -= pos;
        pos = 0;
      }
      if (ended && !paused && !done.future().isComplete()) {
        if (buf.length() > 0) { // a last line without its newline
          line(buf);
          buf = Buffer.buffer();
        }
        if (stats) {
          done.tryComplete();
        } else {
          done.tryFail(new IOException("the stream from " + base + " ended early, after " + index + " results"));
        }
      }
    }

    /** The next newline from {@code pos}; bytes searched before are not searched again. */
    private int newline() {
      for (int i = Math.max(pos, scanned), n = buf.length(); i < n; i++) {
        if (buf.getByte(i) == '\n') {
          scanned = i + 1;
          return i;
        }
      }
      scanned = buf.length();
      return -1;
    }

    private void line(Buffer line) {
      if (line.length() == 0) {
        return;
      }
      if (line.length() >= STATS.length() && line.getBuffer(0, STATS.length()).equals(STATS)) {
        stats = true; // the server's own count: the command counts the results it prints
        return;
      }
      try {
        sink.acceptLine(line.getBytes());
        index++;
      } catch (IOException e) {
        done.tryFail(new IOException("result " + (index + 1) + " from " + base + " is not a JSON object: "
            + e.getMessage()));
      }
    }
  }
}
