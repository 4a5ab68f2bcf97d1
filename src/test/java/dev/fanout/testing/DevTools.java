package dev.fanout.testing;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Test support: a client of the Chrome DevTools protocol over the JDK's WebSocket (no driver, no
 * dependency). Commands are JSON {@code {id, method, params, sessionId?}}, answered by id; events
 * (no id) go to the listeners of their method. Every wait is bounded.
 */
public final class DevTools implements AutoCloseable {
  private final AtomicLong ids = new AtomicLong();
  private final Map<Long, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
  private final List<Consumer<JsonObject>> listeners = new CopyOnWriteArrayList<>();
  private final WebSocket socket;

  private DevTools(URI browser) {
    this.socket = HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(browser, new Listener()).orTimeout(10, TimeUnit.SECONDS).join();
  }

  /** Connects to a browser's DevTools endpoint ({@code ws://127.0.0.1:PORT/devtools/browser/ID}). */
  public static DevTools connect(URI browser) {
    return new DevTools(browser);
  }

  /** Sends a command (to a session when sessionId is not null); its result, or an error. */
  public JsonObject send(String sessionId, String method, JsonObject params, long timeoutMs) {
    long id = ids.incrementAndGet();
    JsonObject command = new JsonObject().put("id", id).put("method", method).put("params", params);
    if (sessionId != null) {
      command.put("sessionId", sessionId);
    }
    CompletableFuture<JsonObject> answer = new CompletableFuture<>();
    pending.put(id, answer);
    synchronized (socket) { // one message at a time on the socket
      socket.sendText(command.encode(), true).join();
    }
    JsonObject reply = answer.orTimeout(timeoutMs, TimeUnit.MILLISECONDS)
        .whenComplete((r, e) -> pending.remove(id)).join();
    if (reply.containsKey("error")) {
      throw new IllegalStateException(method + ": " + reply.getJsonObject("error").encode());
    }
    return reply.getJsonObject("result", new JsonObject());
  }

  /** Calls {@code listener} with each event's {@code {method, params, sessionId}}. */
  public void onEvent(Consumer<JsonObject> listener) {
    listeners.add(listener);
  }

  /** The next event of {@code method}: register before causing it. */
  public CompletableFuture<JsonObject> next(String method) {
    CompletableFuture<JsonObject> event = new CompletableFuture<>();
    onEvent(e -> {
      if (method.equals(e.getString("method"))) {
        event.complete(e.getJsonObject("params"));
      }
    });
    return event;
  }

  @Override
  public void close() {
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(2, TimeUnit.SECONDS).exceptionally(e -> null).join();
  }

  private void receive(String text) {
    JsonObject message = new JsonObject(text);
    Long id = message.getLong("id");
    if (id != null) {
      CompletableFuture<JsonObject> answer = pending.get(id);
      if (answer != null) {
        answer.complete(message);
      }
    } else {
      listeners.forEach(l -> l.accept(message));
    }
  }

  /** Joins a message's frames (a screenshot spans many) and hands whole messages on. */
  private final class Listener implements WebSocket.Listener {
    private final StringBuilder message = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      message.append(data);
      if (last) {
        String whole = message.toString();
        message.setLength(0);
        receive(whole);
      }
      ws.request(1);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      pending.values().forEach(p -> p.completeExceptionally(error));
    }
  }
}
