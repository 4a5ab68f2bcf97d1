package dev.fanout.fetch;

import dev.fanout.bus.ErrorKind;
import dev.fanout.bus.FetchSpec;
import dev.fanout.net.UrlTarget;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.InetAddress;
import java.util.Map;
import java.util.Set;

/**
 * One HTTP request and its streamed response: connects to exactly the address the egress policy
 * checked (the URL's host goes only into the Host header and TLS SNI), hands the body to a
 * {@link BodyReader}, gives the connection back, and can be aborted at any point. The idle timeout
 * is an {@link IdleWatch}. Runs on the fetcher's event loop.
 */
final class Exchange {
  /**
   * What every exchange of one fetcher shares.
   *
   * @param connections the fetcher's connection pool
   * @param timeouts the fetcher's tick, for idle watches
   * @param budget the capture budget bodies are admitted against
   * @param context the fetcher's context, where budget is granted
   */
  record Shared(Connections connections, Timeouts timeouts, CaptureBudget budget, Context context) {}

  private static final CharSequence USER_AGENT = HttpHeaders.createOptimized("User-Agent");
  private static final CharSequence HOST = HttpHeaders.createOptimized("Host");
  private static final Set<HttpMethod> IDEMPOTENT = Set.of(
      HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS, HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.TRACE);
  private final Promise<Response> promise = Promise.promise();
  private final Shared shared;
  private final UrlTarget target;
  private final InetAddress address;
  private final FetchSpec.Request spec;
  private final FetchSpec.Options options;
  private final RequestOptions opts;
  private IdleWatch idle;
  private BodyReader body;
  private HttpClientRequest request;
  private HttpClientResponse response;
  private FetchFailure abortedWith;
  private Connections.Pooled conn;
  private int tries;

  /**
   * An exchange of {@code task}'s current hop with {@code address}, as its spec's options say
   * (User-Agent, byte cap, capture); nothing is sent before {@link #start}.
   */
  Exchange(Shared shared, FetchTask task, InetAddress address) {
    this.shared = shared;
    this.target = task.target;
    this.address = address;
    this.spec = task.request;
    this.options = task.spec.options();
    this.opts = requestOptions(target, spec, options.userAgent());
  }

  /** The outcome: the response, or a {@link FetchFailure}. */
  Future<Response> future() {
    return promise.future();
  }

  /**
   * Sends the request; the outcome arrives on {@link #future()}. {@code idleTimeoutMs} of 0 means
   * no idle watch (the caller's own limit comes first).
   */
  Exchange start(long idleTimeoutMs) {
    FetchFaults.at(FetchFaults.Point.START, target);
    if (idleTimeoutMs > 0) {
      idle = new IdleWatch(this, shared.timeouts(), idleTimeoutMs);
    }
    send(shared.connections().acquire(target, address));
    return this;
  }

  private static RequestOptions requestOptions(UrlTarget target, FetchSpec.Request request, String userAgent) {
    RequestOptions opts = new RequestOptions().setMethod(request.method()).setURI(target.pathAndQuery())
        .setFollowRedirects(false);
    boolean agent = false;
    for (Map.Entry<String, String> h : request.headers().entrySet()) { // a spec has no Host or Connection
      opts.putHeader(h.getKey(), h.getValue());
      agent |= h.getKey().equalsIgnoreCase("user-agent");
    }
    if (!agent) {
      opts.putHeader(USER_AGENT, userAgent);
    }
    if (target.host().indexOf(':') >= 0) {
      // Vert.x writes the connection's authority without brackets; an IPv6 literal needs them
      opts.putHeader(HOST, target.hostHeader());
    }
    return opts;
  }

  /** Sends on the connection {@code connection} brings; callbacks of an earlier try are ignored. */
  private void send(Future<Connections.Pooled> connection) {
    int attempt = ++tries;
    connection
        .compose(c -> {
          if (abortedWith != null) {
            shared.connections().release(c, true, -1); // unused: as good as it came
            return Future.failedFuture(abortedWith);
          }
          conn = c;
          return c.conn.request(opts);
        })
        .compose(req -> {
          if (attempt != tries) {
            req.reset(0);
            return Future.failedFuture("superseded");
          }
          request = req;
          active();
          // a reset of ours is reported here, not logged as unhandled
          req.exceptionHandler(e -> {
            if (attempt == tries) {
              fail(e);
            }
          });
          if (abortedWith != null) {
            req.reset(0, abortedWith);
            return Future.failedFuture(abortedWith);
          }
          return spec.body() == null ? req.send() : req.send(spec.body());
        })
        .onSuccess(resp -> {
          if (attempt == tries) {
            guarded(() -> read(resp));
          }
        })
        .onFailure(e -> {
          if (attempt == tries) {
            fail(e);
          }
        });
  }

  private void read(HttpClientResponse resp) {
    response = resp;
    active();
    resp.exceptionHandler(this::fail); // before any abort, so a reset is never reported unhandled
    body = new BodyReader(this, resp, options.maxBytes(), shared.budget());
    body.start(spec.method(), options.capture(), shared.context());
  }

  /**
   * Whether a failure should be tried again at once on a new connection: the connection was a
   * kept-alive one that turned out closed (the server closed it while it was idle, or is closing
   * it after a response, as HTTP/1.0 servers do), no response has arrived, and either nothing was
   * sent or the method is idempotent. Browsers and HTTP libraries do the same; it costs no
   * attempt, and happens once per exchange.
   */
  private boolean staleConnection(FetchFailure f) {
    return conn != null && conn.reused && tries == 1 && response == null && abortedWith == null
        && f.kind() == ErrorKind.RESET && (request == null || IDEMPOTENT.contains(spec.method()));
  }

  /** Gives the connection back: to the pool when the response ended cleanly and allows reuse, else closed. */
  private void giveBack(boolean ended) {
    Connections.Pooled c = conn;
    if (c == null) {
      return;
    }
    conn = null;
    if (ended) {
      shared.connections().releaseAfter(c, response, spec.method());
    } else {
      shared.connections().discard(c);
    }
  }

  /** Whether the outcome is decided (a response, a failure, an abort). */
  boolean ended() {
    return promise.future().isComplete();
  }

  /** Whether there is nothing to hear yet: still connecting, or a body waiting for capture budget. */
  boolean waiting() {
    return request == null || body != null && body.waiting();
  }

  /** Bytes moved: the idle watch starts over. */
  void active() {
    if (idle != null) {
      idle.active();
    }
  }

  UrlTarget target() {
    return target;
  }

  /** Ends the exchange with {@code kind}: resets the stream (closing its connection) if it is open. */
  void abort(ErrorKind kind, String message) {
    abort(new FetchFailure(kind, message, partial()));
  }

  private void abort(FetchFailure failure) {
    if (ended() || abortedWith != null) {
      return;
    }
    abortedWith = failure;
    stopWatching();
    dropBody();
    if (request != null) {
      request.reset(0, abortedWith);
    }
    giveBack(false);
    promise.tryFail(abortedWith);
  }

  private void fail(Throwable t) {
    FetchFailure f = abortedWith != null ? abortedWith : FetchFailure.of(t);
    if (f.partial() == null && response != null && abortedWith == null) {
      f = new FetchFailure(f.kind(), f.getMessage(), partial());
    }
    if (request == null && f.kind() == ErrorKind.TIMEOUT && abortedWith == null) {
      // No request yet: the time ran out while connecting.
      f = new FetchFailure(ErrorKind.TIMEOUT, "connect timed out");
    }
    if (staleConnection(f)) {
      giveBack(false);
      request = null;
      send(shared.connections().connect(target, address));
      return;
    }
    stopWatching();
    dropBody();
    giveBack(false);
    promise.tryFail(f);
  }

  /** The body ended: the connection goes back, and the response is the outcome unless one came first. */
  void complete(Response r) {
    stopWatching();
    giveBack(!ended());
    if (!promise.tryComplete(r)) {
      r.release();
    }
  }

  private void stopWatching() {
    if (idle != null) {
      idle.stop();
    }
  }

  private void dropBody() {
    if (body != null) {
      body.drop();
    }
  }

  /**
   * Runs a step of reading the response; a throw there (a bug, a library's exception) fails the
   * exchange instead of escaping to Vert.x, which would log it and deliver the next chunk as if
   * nothing happened: a truncated body reported whole.
   */
  void guarded(Runnable step) {
    try {
      step.run();
    } catch (RuntimeException e) {
      failReading(e);
    }
  }

  /** Reading the response threw: the exchange fails with {@code internal}, keeping what arrived. */
  void failReading(RuntimeException e) {
    abort(new FetchFailure(ErrorKind.INTERNAL, "reading the response failed: " + e, partial()));
  }

  /** What has arrived so far (status, headers, bytes), or null before the response head. */
  private Response partial() {
    return response == null ? null
        : new Response(response.statusCode(), response.headers(), body == null ? 0 : body.received(), null, null, null);
  }
}
