package dev.fanout.web;

import dev.fanout.bus.Capture;
import dev.fanout.bus.ErrorKind;
import dev.fanout.bus.FetchResult;
import dev.fanout.bus.FetchSpec;
import dev.fanout.bus.InvalidRequest;
import dev.fanout.gather.Gather;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The fetch specs of a streamed ({@code application/x-ndjson}) request body, one per line: a URL,
 * or a fetch spec object. Lines are parsed as they arrive, and the request is paused while
 * {@code highWater} specs wait for the gather, so a body of any length holds only a window in
 * memory and a client sending faster than fanout fetches is slowed by TCP. Blank lines and
 * {@code #} comments are skipped, as in {@code fanout fetch}'s input.
 *
 * <p>A line that cannot become a fetch (a spec with a bad field, past a limit, longer than
 * {@code gather.maxLineBytes}) still takes its place in the input: it becomes an
 * {@code invalid-url} result naming the line ({@link #replaced(long)}), so one bad line in a
 * million does not fail the stream, and results still count one per line.
 */
final class LineBody implements Gather.Source {
  /**
   * What a line may ask for beyond the request's own settings.
   *
   * @param maxLineBytes the longest line
   * @param maxDeadlineMs the longest deadline a line may set (the gather awaits replies that long)
   * @param maxCaptureBytes the largest maxBytes of a line that captures its body
   */
  record Limits(int maxLineBytes, long maxDeadlineMs, long maxCaptureBytes) {}

  private final HttpServerRequest request;
  private final FetchSpec.Options defaults;
  private final Limits limits;
  private final int highWater;
  private final ArrayDeque<FetchSpec> ready = new ArrayDeque<>();
  private final Map<Long, JsonObject> bad = new HashMap<>();
  private Buffer partial = Buffer.buffer();
  private boolean tooLong;
  private boolean ended;
  private long lineNo;
  private long index;
  private Promise<List<FetchSpec>> waiting;
  private int waitingMax;

  LineBody(HttpServerRequest request, FetchSpec.Options defaults, Limits limits, int highWater) {
    this.request = request;
    this.defaults = defaults;
    this.limits = limits;
    this.highWater = highWater;
    request.handler(this::onData);
    request.endHandler(v -> onEnd());
    request.exceptionHandler(e -> close()); // the connection broke: the response's end cancels the gather
  }

  @Override
  public Future<List<FetchSpec>> next(int max) {
    if (!ready.isEmpty() || ended) {
      return Future.succeededFuture(take(max));
    }
    waiting = Promise.promise();
    waitingMax = max;
    request.resume();
    return waiting.future();
  }

  /** The result that stands for input {@code index} when its line was bad, else null. */
  JsonObject replaced(long index) {
    return bad.isEmpty() ? null : bad.remove(index);
  }

  /** Ends the input here (the response ended): nothing more is read or handed out. */
  void close() {
    ended = true;
    ready.clear();
    serveWaiting();
  }

  private List<FetchSpec> take(int max) {
    List<FetchSpec> out = new ArrayList<>(Math.min(max, ready.size()));
    while (out.size() < max && !ready.isEmpty()) {
      out.add(ready.poll());
    }
    if (!ended && ready.size() < highWater) {
      request.resume();
    }
    return out;
  }

  private void onData(Buffer buf) {
    if (ended) {
      return; // closed: the answer went out (a 504, say) while the client still sends
    }
    int start = 0;
    int n = buf.length();
    for (int i = 0; i < n; i++) {
      if (buf.getByte(i) == '\n') {
        append(buf, start, i);
        line();
        start = i + 1;
      }
    }
    append(buf, start, n);
    if (ready.size() >= highWater) {
      request.pause();
    }
    serveWaiting();
  }

  private void onEnd() {
    if (ended) {
      return;
    }
    if (partial.length() > 0 || tooLong) {
      line(); // the last line needs no newline
    }
    ended = true;
    serveWaiting();
  }

  private void append(Buffer buf, int from, int to) {
    if (tooLong || from == to) {
      return;
    }
    if (partial.length() + (to - from) > limits.maxLineBytes()) {
      tooLong = true; // the rest of the line is skipped as it arrives
      return;
    }
    partial.appendBuffer(buf, from, to - from);
  }

  private void line() {
    lineNo++;
    String text = tooLong ? null : partial.toString(StandardCharsets.UTF_8).strip();
    partial = Buffer.buffer();
    if (tooLong) {
      tooLong = false;
      bad("", "line " + lineNo + ": longer than gather.maxLineBytes (" + limits.maxLineBytes() + " bytes)");
      return;
    }
    if (text.isEmpty() || text.startsWith("#")) {
      return;
    }
    if (!text.startsWith("{")) {
      add(FetchSpec.of(text, defaults)); // a URL that does not parse is an invalid-url result, as in a file
      return;
    }
    JsonObject json = null;
    try {
      json = JsonBody.object(Buffer.buffer(text), "a fetch spec");
      add(spec(json));
    } catch (InvalidRequest e) {
      String url = json != null && json.getValue("url") instanceof String u ? u : "";
      String field = e.field().equals("body") ? "" : e.field() + ": ";
      bad(url, "line " + lineNo + ": " + field + e.reason());
    }
  }

  /** A spec line, resolved over the request's settings and held within its limits. */
  private FetchSpec spec(JsonObject json) {
    FetchSpec spec = FetchSpec.fromJson(json, defaults);
    if (spec.group() != null) {
      throw new InvalidRequest("group", "is set by the gather");
    }
    if (spec.options().timeouts().deadlineMs() > limits.maxDeadlineMs()) {
      throw new InvalidRequest("deadlineMs", "must not exceed the request's deadlineMs (" + limits.maxDeadlineMs()
          + "): raise that with ?deadlineMs=");
    }
    if (spec.options().capture() != Capture.NONE
        && spec.options().maxBytes() > limits.maxCaptureBytes()) {
      throw new InvalidRequest("maxBytes", "a line that captures its body may ask at most " + limits.maxCaptureBytes()
          + " bytes here (gather.maxSettleBytes over the request's concurrency)");
    }
    return spec;
  }

  private void add(FetchSpec spec) {
    index++;
    ready.add(spec);
  }

  /** A bad line: its place is kept by a spec without target, whose result {@link #replaced} swaps. */
  private void bad(String url, String message) {
    bad.put(index, FetchResult.failed(url, ErrorKind.INVALID_URL, message, 0, 0).toJson());
    add(FetchSpec.of("", defaults));
  }

  private void serveWaiting() {
    if (waiting != null && (!ready.isEmpty() || ended)) {
      Promise<List<FetchSpec>> p = waiting;
      waiting = null;
      p.complete(take(waitingMax));
    }
  }
}
