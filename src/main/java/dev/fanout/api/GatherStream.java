package dev.fanout.api;

import dev.fanout.bus.Addresses;
import dev.fanout.bus.BusFailure;
import dev.fanout.bus.ErrorKind;
import dev.fanout.bus.FetchSpec;
import dev.fanout.bus.GatherRequest;
import dev.fanout.fetch.FetchRoute;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.List;
import java.util.UUID;

/**
 * A gather run by the client: a sliding window of specs sent to {@code fanout.fetch} in one cancel
 * group, results handed out as they complete. Written here rather than on the service's
 * {@code Gather} because this one must work from any node: it sends JSON, which crosses a cluster
 * hop, where {@code Gather} sends the resolved spec as a local value. A stream belongs to the
 * context that created it; every callback runs there.
 */
final class GatherStream implements FetchStream {
  private final Vertx vertx;
  private final Context context;
  private final List<FetchSpec> specs;
  private final int window;
  private final boolean failFast;
  private final BusFailure invalid;
  private final String group = UUID.randomUUID().toString();
  // results in hand and not yet delivered: at most the fetches that were in flight when it paused
  private final ArrayDeque<FetchResult> buffer = new ArrayDeque<>();
  private Handler<FetchResult> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private long demand = Long.MAX_VALUE;
  private int next;
  private int inFlight;
  private boolean started;
  private boolean pumping;
  private boolean failed; // fail-fast saw a failure: the rest is cancelled, still delivered
  private boolean ended;
  private boolean endDue;
  private boolean failureDue;

  GatherStream(Vertx vertx, GatherRequest req, int window) {
    this(vertx, req.requests(), window, req.mode() == GatherRequest.Mode.FAIL_FAST, null);
  }

  private GatherStream(Vertx vertx, List<FetchSpec> specs, int window, boolean failFast, BusFailure invalid) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.specs = specs;
    this.window = window;
    this.failFast = failFast;
    this.invalid = invalid;
  }

  /** A stream that reports {@code invalid} to its exception handler once started. */
  static GatherStream failed(Vertx vertx, BusFailure invalid) {
    return new GatherStream(vertx, List.of(), 1, false, invalid);
  }

  @Override
  public FetchStream handler(Handler<FetchResult> h) {
    handler = h;
    if (h != null && !started) {
      started = true;
      // on the next turn: the caller sets the end and exception handlers after this one
      context.runOnContext(v -> start());
    }
    return this;
  }

  @Override
  public FetchStream exceptionHandler(Handler<Throwable> h) {
    exceptionHandler = h;
    if (h != null && failureDue) { // bad input found before anyone listened
      failureDue = false;
      context.runOnContext(v -> h.handle(invalid));
    }
    return this;
  }

  @Override
  public FetchStream endHandler(Handler<Void> h) {
    endHandler = h;
    if (h != null && endDue) { // ended (cancelled, or nothing to do) before anyone listened
      endDue = false;
      context.runOnContext(v -> h.handle(null));
    }
    return this;
  }

  @Override
  public FetchStream pause() {
    demand = 0;
    return this;
  }

  @Override
  public FetchStream resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public FetchStream fetch(long amount) {
    demand = Long.MAX_VALUE - demand > amount ? demand + amount : Long.MAX_VALUE;
    pump();
    return this;
  }

  @Override
  public void cancel() {
    if (ended) {
      return;
    }
    ended = true;
    buffer.clear();
    if (inFlight > 0) {
      vertx.eventBus().publish(Addresses.FETCH_CANCEL, new JsonObject().put("group", group));
    }
    end();
  }

  private void start() {
    if (invalid == null) {
      pump();
    } else if (!ended) {
      ended = true;
      if (exceptionHandler != null) {
        exceptionHandler.handle(invalid);
      } else {
        failureDue = true;
      }
    }
  }

  /** Delivers what the demand allows, then starts fetches while there is demand and room in the window. */
  private void pump() {
    if (!started || pumping || invalid != null) {
      return; // a handler that calls fetch() while being called: the loop below goes on
    }
    pumping = true;
    try {
      while (!ended && demand > 0) {
        FetchResult r = buffer.poll();
        if (r != null) {
          deliver(r);
        } else if (next < specs.size() && failed) {
          deliver(result(failure(specs.get(next).url(), ErrorKind.CANCELLED, "not started: the gather was cancelled"),
              next++));
        } else if (next < specs.size() && inFlight < window) {
          launch(next++);
        } else {
          break;
        }
      }
    } finally {
      pumping = false;
    }
    if (!ended && next >= specs.size() && inFlight == 0 && buffer.isEmpty()) {
      ended = true;
      end();
    }
  }

  private void end() {
    if (endHandler != null) {
      endHandler.handle(null);
    } else {
      endDue = true;
    }
  }

  private void deliver(FetchResult r) {
    if (demand != Long.MAX_VALUE) {
      demand--;
    }
    if (handler != null) {
      handler.handle(r);
    }
  }

  private void launch(int index) {
    FetchSpec spec = specs.get(index);
    inFlight++;
    long timeout = spec.options().timeouts().deadlineMs() + BusFetchClient.MARGIN_MS;
    vertx.eventBus().<JsonObject>request(Addresses.FETCH, spec.inGroup(group).toJson(),
        FetchRoute.toRouter(vertx, BusFetchClient.delivery(timeout))).onComplete(ar -> arrived(spec, index, ar));
  }

  private void arrived(FetchSpec spec, int index, AsyncResult<Message<JsonObject>> ar) {
    inFlight--;
    if (ended) {
      return; // cancelled: nobody wants it
    }
    // as the service's gather does: a lost reply is a result, so every index gets one
    JsonObject json = ar.succeeded() ? ar.result().body()
        : failure(spec.url(), ErrorKind.OVERLOADED, "no reply from the fetchers: " + ar.cause().getMessage());
    if (failFast && !failed && !json.getBoolean("ok", false)) {
      failed = true;
      vertx.eventBus().publish(Addresses.FETCH_CANCEL, new JsonObject().put("group", group));
    }
    buffer.add(result(json, index));
    pump();
  }

  private static FetchResult result(JsonObject json, int index) {
    return new FetchResult(json.put("index", index));
  }

  // the wire form of a result that never reached a fetcher (bus.FetchResult: its name is this package's too)
  private static JsonObject failure(String url, ErrorKind kind, String message) {
    return dev.fanout.bus.FetchResult.failed(url, kind, message, 0, 0).toJson();
  }
}
