package dev.fanout.bridge;

import io.vertx.core.json.JsonObject;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/**
 * Test support: a bridge client over a plain {@link Socket}, the wire protocol by hand (a 4-byte
 * big-endian length, then JSON), as a client in any language would speak it — not Vert.x's bridge
 * client. Blocking: use it from the test's thread, never an event loop.
 */
final class RawBridgeClient implements AutoCloseable {
  private final Socket socket;
  private final DataInputStream in;
  private final DataOutputStream out;
  private int ids;
  private String token;

  RawBridgeClient(int port) {
    try {
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(30_000); // a frame that never comes fails the test instead of hanging it
      in = new DataInputStream(socket.getInputStream());
      out = new DataOutputStream(socket.getOutputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends {@code token} as {@code headers.token} on every frame from now on. */
  RawBridgeClient withToken(String token) {
    this.token = token;
    return this;
  }

  void send(JsonObject frame) {
    if (token != null && !frame.containsKey("headers")) {
      frame.put("headers", new JsonObject().put("token", token));
    }
    byte[] json = frame.encode().getBytes(StandardCharsets.UTF_8);
    writeRaw(json.length, json);
  }

  /** A length header and bytes, whatever they say. */
  void writeRaw(int length, byte[] bytes) {
    try {
      out.writeInt(length);
      out.write(bytes);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  JsonObject read() {
    try {
      byte[] json = new byte[in.readInt()];
      in.readFully(json);
      return new JsonObject(new String(json, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether the server closed the connection (reads until the end of the stream). */
  boolean closedByServer() {
    try {
      while (in.read() >= 0) {
        // the error frame before the close, then nothing
      }
      return true;
    } catch (EOFException | SocketException e) {
      return true; // a reset is a close too
    } catch (IOException e) {
      return false; // the read timed out: still open
    }
  }

  /** Sends {@code body} to {@code address} and reads the answer: a message or an err frame. */
  JsonObject request(String address, JsonObject body) {
    String replyAddress = "java." + ++ids;
    send(new JsonObject().put("type", "send").put("address", address).put("replyAddress", replyAddress)
        .put("body", body));
    return read();
  }

  void register(String address) {
    send(new JsonObject().put("type", "register").put("address", address));
  }

  /** The next job message: {@code {type: message, address: fanout.job.<kind>, replyAddress, body}}. */
  JsonObject nextJob() {
    JsonObject f = read();
    if (!"message".equals(f.getString("type")) || f.getString("replyAddress") == null) {
      throw new AssertionError("expected a job message, got " + f.encode());
    }
    return f;
  }

  void reply(JsonObject job, JsonObject body) {
    send(new JsonObject().put("type", "send").put("address", job.getString("replyAddress")).put("body", body));
  }

  void fail(JsonObject job, String error) {
    send(new JsonObject().put("type", "send").put("address", job.getString("replyAddress"))
        .put("failureCode", 500).put("message", error));
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
