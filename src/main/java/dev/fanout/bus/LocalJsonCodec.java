package dev.fanout.bus;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

/**
 * A codec that does not copy on local delivery (Vert.x's default deep-copies every JsonObject sent
 * within a JVM). Used only between fanout's own parts, for bodies that are immutable
 * ({@link FetchSpec}, {@link Handoff}: a fetch travels to its fetcher as the value it was resolved
 * into, never re-parsed; {@link FetchResult}: its result comes back the same way, never built into
 * JSON in between) or built fresh for one message and never changed after sending (a
 * {@code JsonObject}); on the wire it is plain JSON, and arrives as a {@code JsonObject}. A sender
 * that understands it says so with the {@link #HEADER} header, and only then do fetchers reply
 * with it, so other clients (bridges, other nodes) always get the default codec and JSON.
 */
public final class LocalJsonCodec implements MessageCodec<Object, Object> {
  /** The codec name. */
  public static final String NAME = "fanout.json";
  /** Set on a request whose sender accepts replies in this codec. */
  public static final String HEADER = "fanout-codec";

  /** Options for sending with this codec and asking for replies in it. */
  public static DeliveryOptions options(long sendTimeoutMs) {
    return new DeliveryOptions().setCodecName(NAME).addHeader(HEADER, NAME).setSendTimeout(sendTimeoutMs);
  }

  private static final DeliveryOptions REPLY = new DeliveryOptions().setCodecName(NAME);

  /** Whether the sender of {@code msg} takes replies in this codec (a value, not a copy of JSON). */
  public static boolean accepts(Message<?> msg) {
    return NAME.equals(msg.headers().get(HEADER));
  }

  /**
   * Replies to {@code msg} with {@code body} (a {@code JsonObject} or a {@link FetchResult}), as
   * the value itself when the sender allows it, else as JSON.
   */
  public static void reply(Message<?> msg, Object body) {
    if (accepts(msg)) {
      msg.reply(body, REPLY);
    } else {
      msg.reply(body instanceof FetchResult r ? r.toJson() : body);
    }
  }

  /** Registers the codec with {@code vertx} once; later calls do nothing. */
  public static void register(Vertx vertx) {
    try {
      vertx.eventBus().registerCodec(new LocalJsonCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // another part of fanout registered it first
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, Object body) {
    JsonObject json = body instanceof FetchSpec spec ? spec.toJson()
        : body instanceof Handoff handoff ? handoff.toJson()
        : body instanceof FetchResult result ? result.toJson() : (JsonObject) body;
    Buffer encoded = json.toBuffer();
    buffer.appendInt(encoded.length());
    buffer.appendBuffer(encoded);
  }

  @Override
  public Object decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    pos += 4;
    return new JsonObject(buffer.slice(pos, pos + length));
  }

  @Override
  public Object transform(Object body) {
    return body;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
