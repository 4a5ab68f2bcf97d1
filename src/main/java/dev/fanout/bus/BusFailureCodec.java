package dev.fanout.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import java.nio.charset.StandardCharsets;

/**
 * The default codec of {@link BusFailure}, so that its field survives a clustered hop: Vert.x
 * sends any other {@code ReplyException} with its built-in codec, which keeps only type, code and
 * message. Every node must register it ({@link BusFailure#register}): a node that receives a
 * message in a codec it does not know fails it. Within a JVM the failure is passed as is.
 */
final class BusFailureCodec implements MessageCodec<BusFailure, BusFailure> {
  static final String NAME = "fanout.failure";

  @Override
  public void encodeToWire(Buffer buffer, BusFailure f) {
    buffer.appendInt(f.code().code());
    write(buffer, f.getMessage());
    write(buffer, f.field());
  }

  @Override
  public BusFailure decodeFromWire(int pos, Buffer buffer) {
    FailureCode code = FailureCode.of(buffer.getInt(pos));
    pos += 4;
    String message = read(buffer, pos);
    pos += 4 + (message == null ? 0 : buffer.getInt(pos));
    return new BusFailure(code, message, read(buffer, pos));
  }

  private static void write(Buffer buffer, String s) {
    if (s == null) {
      buffer.appendInt(-1);
      return;
    }
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    buffer.appendInt(bytes.length).appendBytes(bytes);
  }

  private static String read(Buffer buffer, int pos) {
    int length = buffer.getInt(pos);
    return length < 0 ? null : buffer.getString(pos + 4, pos + 4 + length, "UTF-8");
  }

  @Override
  public BusFailure transform(BusFailure f) {
    return f; // immutable
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
