package dev.fanout.bridge;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SSLOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.parsetools.RecordParser;
import java.security.cert.Certificate;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket the bridge sees: a client's real socket, with what the 5.0.8 bridge lacks. It cuts
 * the byte stream into frames itself ({@link RecordParser}: a 4-byte big-endian length, then that
 * many bytes of JSON) and closes the connection at a length over {@code maxFrameBytes} before
 * buffering it, so the bridge's own parser only ever gets whole frames; a frame the bridge cannot
 * take (no or an unknown {@code type}: its parser throws and would then re-read the frame forever)
 * is answered with an error frame and closes too. It shows the {@link Session} every frame the
 * bridge writes, and on close runs the bridge's end handler (which unregisters the client's
 * consumers) before the session's; the session may then {@link #inject} frames as if the client
 * had sent them. Everything else is the real socket's.
 */
final class GuardedSocket implements NetSocket {
  private static final Logger LOG = LoggerFactory.getLogger(GuardedSocket.class);
  private static final int LENGTH_BYTES = 4;

  private final NetSocket real;
  private final int maxFrameBytes;
  private final Session session;
  private final RecordParser frames = RecordParser.newFixed(LENGTH_BYTES);
  private Handler<Buffer> bridgeInput;
  private Handler<Void> bridgeEnd;
  private Handler<Void> closeHandler;
  private boolean lengthNext = true;
  private boolean closed;

  GuardedSocket(NetSocket real, int maxFrameBytes, Session session) {
    this.real = real;
    this.maxFrameBytes = maxFrameBytes;
    this.session = session;
    frames.handler(this::record);
    real.closeHandler(v -> closed());
  }

  Session session() {
    return session;
  }

  /** Hands a whole frame to the bridge as if the client had sent it. */
  void inject(JsonObject frame) {
    if (bridgeInput != null) {
      toBridge(Buffer.buffer(frame.encode()));
    }
  }

  private void record(Buffer record) {
    if (closed) {
      return;
    }
    if (lengthNext) {
      long length = record.getUnsignedInt(0);
      if (length < 1 || length > maxFrameBytes) {
        refuse("frame_too_large", "a frame of " + length + " bytes (bridge.maxFrameBytes is " + maxFrameBytes + ")");
        return;
      }
      frames.fixedSizeMode((int) length);
    } else {
      frames.fixedSizeMode(LENGTH_BYTES);
      toBridge(record);
    }
    lengthNext = !lengthNext;
  }

  private void toBridge(Buffer json) {
    try {
      bridgeInput.handle(Buffer.buffer(LENGTH_BYTES + json.length()).appendInt(json.length()).appendBuffer(json));
    } catch (RuntimeException e) {
      refuse("invalid_frame", "a frame the bridge could not take (" + e.getMessage() + ")");
    }
  }

  /** Answers with an error frame, as the bridge does, and closes. */
  private void refuse(String message, String why) {
    LOG.info("closing bridge connection from {}: {}", real.remoteAddress(), why);
    closed = true;
    byte[] err = new JsonObject().put("type", "err").put("message", message).toBuffer().getBytes();
    real.write(Buffer.buffer().appendInt(err.length).appendBytes(err)).eventually(real::close);
  }

  private void closed() {
    closed = true;
    if (bridgeEnd != null) {
      bridgeEnd.handle(null); // unregisters the client's consumers: nothing reaches it any more
    }
    session.closed();
    if (closeHandler != null) {
      closeHandler.handle(null);
    }
  }

  @Override
  public NetSocket handler(Handler<Buffer> handler) {
    bridgeInput = handler;
    real.handler(handler == null ? null : frames);
    return this;
  }

  @Override
  public NetSocket endHandler(Handler<Void> handler) {
    bridgeEnd = handler; // run on close, before the session's, whether the client or we closed
    return this;
  }

  @Override
  public NetSocket closeHandler(Handler<Void> handler) {
    closeHandler = handler;
    return this;
  }

  @Override
  public Future<Void> write(Buffer data) {
    session.written(data);
    return real.write(data);
  }

  @Override
  public NetSocket exceptionHandler(Handler<Throwable> handler) {
    real.exceptionHandler(handler);
    return this;
  }

  @Override
  public NetSocket pause() {
    real.pause();
    return this;
  }

  @Override
  public NetSocket resume() {
    real.resume();
    return this;
  }

  @Override
  public NetSocket fetch(long amount) {
    real.fetch(amount);
    return this;
  }

  @Override
  public NetSocket setWriteQueueMaxSize(int maxSize) {
    real.setWriteQueueMaxSize(maxSize);
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return real.writeQueueFull();
  }

  @Override
  public NetSocket drainHandler(Handler<Void> handler) {
    real.drainHandler(handler);
    return this;
  }

  @Override
  public NetSocket shutdownHandler(Handler<Void> handler) {
    real.shutdownHandler(handler);
    return this;
  }

  @Override
  public String writeHandlerID() {
    return real.writeHandlerID();
  }

  @Override
  public Future<Void> write(String str) {
    return write(Buffer.buffer(str));
  }

  @Override
  public Future<Void> write(String str, String enc) {
    return write(Buffer.buffer(str, enc));
  }

  @Override
  public Future<Void> sendFile(String filename, long offset, long length) {
    return Future.failedFuture("not on a bridge connection");
  }

  @Override
  public SocketAddress remoteAddress() {
    return real.remoteAddress();
  }

  @Override
  public SocketAddress remoteAddress(boolean real) {
    return this.real.remoteAddress(real);
  }

  @Override
  public SocketAddress localAddress() {
    return real.localAddress();
  }

  @Override
  public SocketAddress localAddress(boolean real) {
    return this.real.localAddress(real);
  }

  @Override
  public Future<Void> end() {
    return real.end();
  }

  @Override
  public Future<Void> close() {
    return real.close();
  }

  @Override
  public Future<Void> upgradeToSsl(SSLOptions options, String serverName, Buffer upgrade) {
    return Future.failedFuture("not on a bridge connection");
  }

  @Override
  public boolean isSsl() {
    return real.isSsl();
  }

  @Override
  public SSLSession sslSession() {
    return real.sslSession();
  }

  @Override
  public List<Certificate> peerCertificates() throws SSLPeerUnverifiedException {
    return real.peerCertificates();
  }

  @Override
  public String indicatedServerName() {
    return real.indicatedServerName();
  }

  @Override
  public String applicationLayerProtocol() {
    return real.applicationLayerProtocol();
  }
}
