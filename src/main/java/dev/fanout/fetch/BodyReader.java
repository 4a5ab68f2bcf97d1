package dev.fanout.fetch;

import dev.fanout.bus.Capture;
import dev.fanout.bus.ErrorKind;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.internal.buffer.BufferInternal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Reads the body of one response for its {@link Exchange}: refuses a Content-Length over the cap,
 * admits a captured body against the capture budget before it streams (reading pauses meanwhile),
 * then streams it through SHA-256, counted against the byte cap, into the captured buffer. It is
 * the response's chunk handler itself. Runs on the fetcher's event loop.
 */
final class BodyReader implements Handler<Buffer> {
  private static final MessageDigest SHA256 = sha256();
  private static final HexFormat HEX = HexFormat.of();
  private final Exchange exchange;
  private final HttpClientResponse resp;
  private final long maxBytes;
  private final CaptureBudget budget;
  /** While waiting for budget to stream a captured body, else null. */
  private CaptureBudget.Waiter waiter;
  private CaptureBudget.Lease lease;
  private MessageDigest sha;
  private Buffer captured;
  /** The size the body is admitted for: its Content-Length when known, else -1. */
  private long size;
  private long captureCap;
  private long received;

  BodyReader(Exchange exchange, HttpClientResponse resp, long maxBytes, CaptureBudget budget) {
    this.exchange = exchange;
    this.resp = resp;
    this.maxBytes = maxBytes;
    this.budget = budget;
  }

  /** Body bytes received so far. */
  long received() {
    return received;
  }

  /** Whether the body waits for capture budget (the idle watch does not count that as silence). */
  boolean waiting() {
    return waiter != null;
  }

  /** Starts reading; ends the exchange through it, with a response or a failure. */
  void start(HttpMethod method, Capture capture, Context context) {
    String length = resp.getHeader("content-length");
    long declared = length == null ? -1 : Connections.parseLong(length);
    if (declared > maxBytes) {
      exchange.abort(ErrorKind.TOO_LARGE, "Content-Length " + length + " exceeds the cap of " + maxBytes + " bytes");
      return;
    }
    int status = resp.statusCode();
    if (capture == Capture.NONE || method == HttpMethod.HEAD || status == 204 || status == 304) {
      stream(capture == Capture.NONE ? null : Buffer.buffer(0), 0); // nothing to hold
      return;
    }
    // a compressed body is decompressed as it comes: its Content-Length does not tell its size
    String encoding = resp.getHeader("content-encoding");
    long known = encoding == null || encoding.equalsIgnoreCase("identity") ? declared : -1;
    if (known > budget.capacity()) {
      exchange.abort(ErrorKind.TOO_LARGE, "Content-Length " + length + " exceeds fetch.captureBudgetBytes ("
          + budget.capacity() + "), the most captured bytes held at once");
      return;
    }
    // The body streams only once its bytes are admitted: its whole size when known, else the cap
    // (given back down to what came when the body ends). Reading pauses meanwhile.
    resp.pause();
    waiter = budget.acquire(known >= 0 ? known : maxBytes, context, granted -> {
      waiter = null;
      if (exchange.ended()) {
        granted.release();
        return;
      }
      lease = granted;
      exchange.active();
      exchange.guarded(() -> stream(Buffer.buffer((int) Math.min(Math.max(known, 0), 1 << 20)), known));
      resp.resume();
    });
  }

  /** Leaves the budget's queue, or gives back the lease: the exchange failed. */
  void drop() {
    if (waiter != null) {
      waiter.cancel();
      waiter = null;
    }
    if (lease != null) {
      lease.release();
      lease = null;
    }
  }

  private void stream(Buffer into, long known) {
    sha = copy(SHA256);
    captured = into;
    size = known;
    captureCap = lease == null ? Long.MAX_VALUE : lease.bytes();
    resp.handler(this);
    resp.endHandler(v -> exchange.guarded(this::end));
  }

  /** A chunk: hashed, counted against the caps, captured. A throw fails the exchange (see {@link Exchange#guarded}). */
  @Override
  public void handle(Buffer chunk) {
    if (exchange.ended()) {
      return;
    }
    try {
      FetchFaults.at(FetchFaults.Point.BODY, exchange.target());
      received += chunk.length();
      exchange.active();
      if (received > maxBytes) {
        exchange.abort(ErrorKind.TOO_LARGE, "body exceeds the cap of " + maxBytes + " bytes");
        return;
      }
      if (captured != null && received > captureCap) {
        exchange.abort(ErrorKind.TOO_LARGE, size >= 0 ? "body exceeds its Content-Length of " + size + " bytes"
            : "captured body exceeds fetch.captureBudgetBytes (" + budget.capacity() + ")");
        return;
      }
      hash(chunk);
      if (captured != null) {
        captured.appendBuffer(chunk);
      }
    } catch (RuntimeException e) {
      exchange.failReading(e);
    }
  }

  private void end() {
    CaptureBudget.Lease held = lease;
    lease = null;
    if (held != null) {
      held.shrinkTo(received);
    }
    exchange.complete(new Response(resp.statusCode(), resp.headers(), received,
        HEX.formatHex(sha.digest()), captured, held));
  }

  /** Hashes a chunk from its own bytes where it has an array (Vert.x's are heap buffers), not a copy. */
  private void hash(Buffer chunk) {
    ByteBuf b = chunk instanceof BufferInternal internal ? internal.getByteBuf() : null;
    if (b != null && b.hasArray()) {
      sha.update(b.array(), b.arrayOffset() + b.readerIndex(), b.readableBytes());
    } else {
      sha.update(chunk.getBytes());
    }
  }

  private static MessageDigest copy(MessageDigest prototype) {
    try {
      return (MessageDigest) prototype.clone();
    } catch (CloneNotSupportedException e) {
      return sha256();
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has SHA-256", e);
    }
  }
}
