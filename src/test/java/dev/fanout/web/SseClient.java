package dev.fanout.web;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Test support: a real HTTP client of {@code GET /v1/events} (java.net.http), its lines parsed as
 * Server-Sent Events on a reader thread of its own into a queue the test takes them from, each
 * take with a deadline.
 */
final class SseClient implements AutoCloseable {
  /** One message: its {@code event:}, {@code id:} and parsed {@code data:}. */
  record Event(String event, long id, JsonObject data) {}

  final HttpResponse<Stream<String>> response;
  final List<String> fieldLines = new ArrayList<>(); // every non-blank line, in order
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final CountDownLatch ended = new CountDownLatch(1);

  private SseClient(HttpResponse<Stream<String>> response) {
    this.response = response;
    if (response.statusCode() == 200) {
      Thread reader = new Thread(this::read, "sse-client");
      reader.setDaemon(true);
      reader.start();
    } else {
      ended.countDown();
    }
  }

  /** Opens the stream (with {@code token} as a bearer token when not null); returns once the head arrived. */
  static SseClient open(int port, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events"))
        .header("Accept", "text/event-stream");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    return new SseClient(http.send(b.build(), HttpResponse.BodyHandlers.ofLines()));
  }

  private void read() {
    String event = null;
    long id = -1;
    String data = null;
    try {
      Iterator<String> lines = response.body().iterator();
      while (lines.hasNext()) {
        String line = lines.next();
        if (line.isEmpty()) {
          if (event != null) {
            events.add(new Event(event, id, new JsonObject(data)));
          }
          event = null;
          data = null;
          continue;
        }
        synchronized (fieldLines) {
          fieldLines.add(line);
        }
        if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("id: ")) {
          id = Long.parseLong(line.substring(4));
        } else if (line.startsWith("data: ")) {
          data = line.substring(6);
        }
      }
    } catch (RuntimeException e) {
      // the connection was closed: the stream ended
    } finally {
      ended.countDown();
    }
  }

  /** The next event that matches {@code wanted} (others are skipped); fails after {@code timeoutMs}. */
  Event next(Predicate<Event> wanted, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (true) {
      Event e = events.poll(Math.max(0, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
      if (e == null) {
        throw new AssertionError("no matching event within " + timeoutMs + " ms");
      }
      if (wanted.test(e)) {
        return e;
      }
    }
  }

  /** The next event of type {@code type}. */
  Event next(String type, long timeoutMs) throws InterruptedException {
    return next(e -> e.event().equals(type), timeoutMs);
  }

  /** Whether the server ended the stream within {@code timeoutMs}. */
  boolean ends(long timeoutMs) throws InterruptedException {
    return ended.await(timeoutMs, TimeUnit.MILLISECONDS);
  }

  /** The non-blank lines read so far. */
  List<String> lines() {
    synchronized (fieldLines) {
      return List.copyOf(fieldLines);
    }
  }

  @Override
  public void close() {
    response.body().close();
  }
}
