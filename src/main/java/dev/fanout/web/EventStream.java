package dev.fanout.web;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's {@code GET /v1/events} response: Server-Sent Events, written only while the client
 * keeps up. Its write queue is bounded by {@code events.maxBufferedBytes}; a client whose backlog
 * is past it when the next event comes is disconnected (and counted, {@link #dropped}) rather than
 * buffered without bound. Used on its web verticle's event loop only.
 */
final class EventStream {
  private static final Logger LOG = LoggerFactory.getLogger(EventStream.class);
  private static final String COUNTS = "fanout.web.events";
  /** The SSE {@code id:} of every message this process sends, shared by its web verticles. */
  private static final AtomicLong IDS = new AtomicLong();
  private static final Buffer RETRY = Buffer.buffer("retry: 2000\n\n");

  private final RoutingContext ctx;
  private final HttpServerResponse resp;
  private boolean gone;

  /** Starts the stream on {@code ctx}: its head and {@code retry}; {@code onGone} runs if the client leaves. */
  EventStream(RoutingContext ctx, int maxBufferedBytes, Runnable onGone) {
    this.ctx = ctx;
    this.resp = ctx.response();
    resp.setStatusCode(200).setChunked(true)
        .putHeader("Content-Type", "text/event-stream")
        .putHeader("Cache-Control", "no-store")
        .putHeader("X-Accel-Buffering", "no") // a proxy in front (nginx) must not hold events back
        .setWriteQueueMaxSize(maxBufferedBytes);
    resp.exceptionHandler(e -> { }); // a client that resets: its close handler does the rest
    resp.closeHandler(v -> {
      if (!gone) {
        gone = true;
        onGone.run();
      }
    });
    resp.write(RETRY);
  }

  /**
   * One SSE message, framed once for every stream it goes to: {@code event}, a new {@code id},
   * one {@code data} line.
   */
  static Buffer frame(String event, JsonObject data) {
    // JSON text has no raw line breaks (they are escaped in strings), so data is one line
    return Buffer.buffer("event: " + event + "\nid: " + IDS.incrementAndGet() + "\ndata: " + data.encode() + "\n\n");
  }

  /** How many event streams this process disconnected because their clients stopped reading. */
  static long dropped(Vertx vertx) {
    Object n = vertx.sharedData().getLocalMap(COUNTS).get("dropped");
    return n == null ? 0 : (Long) n;
  }

  /**
   * Writes {@code frame}; a client whose backlog is over the limit is disconnected instead.
   * False when the stream is over (the client left, or was just dropped).
   */
  boolean send(Buffer frame) {
    if (gone || resp.ended() || resp.closed()) {
      return false;
    }
    if (resp.writeQueueFull()) {
      drop();
      return false;
    }
    resp.write(frame);
    return true;
  }

  /** Ends the stream (the service is stopping): the client sees its end at once. */
  void end() {
    gone = true;
    if (!resp.ended() && !resp.closed()) {
      resp.end();
    }
  }

  private void drop() {
    gone = true;
    vertx().sharedData().<String, Long>getLocalMap(COUNTS).merge("dropped", 1L, Long::sum);
    LOG.info("event stream to {} dropped: its client stopped reading (over events.maxBufferedBytes unsent)",
        ctx.request().remoteAddress());
    ctx.request().connection().close(); // what is queued goes with it
  }

  private Vertx vertx() {
    return ctx.vertx();
  }
}
