package dev.fanout.gather;

import dev.fanout.bus.Addresses;
import dev.fanout.bus.ErrorKind;
import dev.fanout.bus.FetchResult;
import dev.fanout.bus.FetchSpec;
import dev.fanout.bus.GatherRequest.Mode;
import dev.fanout.bus.LocalJsonCodec;
import dev.fanout.fetch.FetchRoute;
import dev.fanout.gather.Awaiting.Pending;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A fan-out of fetches over the event bus with at most {@code concurrency} in flight: a sliding
 * window, so one slow URL never idles the others (asyncio.gather behind a Semaphore, without
 * fixed chunks). Specs are pulled from a {@link Source} only as the window needs them, and results
 * are pushed to a {@link Sink} as they complete, or in input order through a bounded reorder
 * window; while the sink is full the window pauses. Memory is therefore bounded for any input.
 * A fetch whose owning fetcher runs in this process is handed to it directly ({@link FetchRoute#sendLocal}),
 * its reply timeout watched by one periodic check; others go over the bus. Runs on the context
 * that calls {@link #run()}.
 */
public final class Gather {
  /** Where specs come from, a batch at a time, each resolved already ({@link FetchSpec#of}). */
  public interface Source {
    /** Up to {@code max} more specs; an empty list at the end. */
    Future<List<FetchSpec>> next(int max);
  }

  /** Where results go. */
  public interface Sink {
    /** A result; {@code index} is the spec's 0-based position in the input. */
    void accept(long index, JsonObject result);

    /**
     * A result as the fetcher made it (it came from this process); a sink that writes it itself
     * overrides this, sparing the JSON object in between.
     */
    default void accept(long index, FetchResult result) {
      accept(index, result.toJson());
    }

    /** Whether the sink wants the gather to pause. */
    default boolean full() {
      return false;
    }

    /** Calls {@code resume} once when the sink is no longer full. */
    default void onDrain(Runnable resume) {
      resume.run();
    }
  }

  /**
   * How to gather.
   *
   * @param concurrency the most fetches in flight
   * @param ordered emit in input order (else as completed)
   * @param reorderWindow with ordered, the most results held back waiting for an earlier one
   * @param replyTimeoutMs how long one fetch's reply may take (its deadline plus a margin)
   * @param mode settle, or fail-fast: the first result with ok:false cancels the rest
   */
  public record Options(int concurrency, boolean ordered, int reorderWindow, long replyTimeoutMs, Mode mode) {
    /** Settle-mode options. */
    public Options(int concurrency, boolean ordered, int reorderWindow, long replyTimeoutMs) {
      this(concurrency, ordered, reorderWindow, replyTimeoutMs, Mode.SETTLE);
    }
  }

  private final Vertx vertx;
  private final Source source;
  private final Sink sink;
  private final Options opts;
  private final Promise<GatherStats> done = Promise.promise();
  private final ArrayDeque<FetchSpec> buffer = new ArrayDeque<>();
  /** With ordered output, results (a {@link FetchResult} or its JSON) waiting for an earlier one. */
  private final Map<Long, Object> held = new HashMap<>();
  private final DeliveryOptions delivery;
  private final GatherStats.Counter stats = new GatherStats.Counter();
  private final Awaiting awaiting;
  private final String group = UUID.randomUUID().toString();
  private Context context;
  private boolean cancelled;
  private boolean emitCancelled;
  private boolean sourceDone;
  private boolean reading;
  private boolean paused;
  private int inFlight;
  private long nextIndex;
  private long nextEmit;

  /** A gather of {@code source} into {@code sink}; nothing happens until {@link #run()}. */
  public Gather(Vertx vertx, Source source, Sink sink, Options opts) {
    this.vertx = vertx;
    this.source = source;
    this.sink = sink;
    this.opts = opts;
    LocalJsonCodec.register(vertx);
    this.delivery = LocalJsonCodec.options(opts.replyTimeoutMs());
    this.awaiting = new Awaiting(vertx, opts.replyTimeoutMs(), opts.concurrency(), this::replied);
  }

  /** Starts; completes with the stats once every result reached the sink. Call on a Vert.x context. */
  public Future<GatherStats> run() {
    context = vertx.getOrCreateContext();
    stats.start();
    fill();
    return done.future();
  }

  /**
   * Stops the gather: nothing more is sent, and fetches of it still queued or running at the
   * fetchers end with {@code cancelled} (a cancel message on the bus). With {@code emitRest}
   * every input not yet sent still gets a {@code cancelled} result (fail-fast); without, the
   * input is abandoned (the consumer went away). Idempotent.
   */
  public void cancel(boolean emitRest) {
    if (cancelled || done.future().isComplete()) {
      return;
    }
    cancelled = true;
    emitCancelled = emitRest;
    vertx.eventBus().publish(Addresses.FETCH_CANCEL, new JsonObject().put("group", group));
    if (!emitRest) {
      buffer.clear();
      sourceDone = true;
    }
    context.runOnContext(v -> fill());
  }

  /** Whether {@link #cancel(boolean)} was called (by fail-fast or by the caller). */
  public boolean cancelled() {
    return cancelled;
  }

  private void fill() {
    if (cancelled) {
      FetchSpec spec;
      // cancelled results are results too: with ordered output they wait inside the window
      while (emitCancelled && !paused && inWindow() && (spec = buffer.poll()) != null) {
        deliver(nextIndex++, FetchResult.failed(spec.url(), ErrorKind.CANCELLED,
            "not started: the gather was cancelled", 0, 0));
      }
    }
    while (!cancelled && !paused && inFlight < opts.concurrency() && inWindow()) {
      FetchSpec spec = buffer.poll();
      if (spec == null) {
        break;
      }
      send(spec, nextIndex++);
    }
    if (buffer.size() < opts.concurrency() && !sourceDone && !reading) {
      read();
    }
    if (sourceDone && buffer.isEmpty() && inFlight == 0 && held.isEmpty() && !reading) {
      awaiting.close();
      done.tryComplete(stats.snapshot());
    }
  }

  /** Whether one more result may be started: with ordered output, at most the reorder window is held back. */
  private boolean inWindow() {
    return !opts.ordered() || nextIndex - nextEmit < opts.reorderWindow();
  }

  private void read() {
    reading = true;
    source.next(Math.max(64, opts.concurrency())).onComplete(ar -> {
      reading = false;
      if (ar.failed()) {
        done.tryFail(ar.cause());
        return;
      }
      if (ar.result().isEmpty()) {
        sourceDone = true;
      } else if (!cancelled || emitCancelled) {
        buffer.addAll(ar.result());
      }
      fill();
    });
  }

  private void send(FetchSpec spec, long index) {
    inFlight++;
    // the spec itself travels, in this gather's cancel group: the fetcher reads it as it is, and its
    // reply is the fetcher's FetchResult itself (or its JSON when it ran on another node)
    FetchSpec inGroup = spec.inGroup(group);
    Pending p = new Pending(spec, index);
    if (FetchRoute.sendLocal(vertx, inGroup, context, result -> replied(p, result))) {
      awaiting.watch(p); // no bus message, and no reply timer of its own
      return;
    }
    vertx.eventBus().request(address(spec), inGroup, delivery).onComplete(ar -> replied(p,
        ar.succeeded() ? ar.result().body() : Awaiting.noReply(spec, ar.cause().getMessage())));
  }

  /** The result of a fetch sent; ignored when the fetch was answered already (its reply was overdue). */
  private void replied(Pending p, Object result) {
    if (!awaiting.answer(p)) {
      return;
    }
    inFlight--;
    if (opts.mode() == Mode.FAIL_FAST && !cancelled && !FetchResult.isOk(result)) {
      cancel(true);
    }
    deliver(p.index, result);
    fill();
  }

  private void deliver(long index, Object result) {
    stats.add(result);
    if (opts.ordered()) {
      held.put(index, result);
      Object next;
      while ((next = held.remove(nextEmit)) != null) {
        emit(nextEmit++, next);
      }
    } else {
      emit(index, result);
    }
    if (!paused && sink.full()) {
      paused = true;
      sink.onDrain(() -> context.runOnContext(v -> {
        paused = false;
        fill();
      }));
    }
  }

  private void emit(long index, Object result) {
    if (result instanceof FetchResult r) {
      sink.accept(index, r);
    } else {
      sink.accept(index, (JsonObject) result);
    }
  }

  /**
   * The owning fetcher's address (saves a routing hop; {@link FetchRoute}), or the router's for a
   * URL that does not parse.
   */
  private String address(FetchSpec spec) {
    return spec.target() == null ? Addresses.FETCH : FetchRoute.address(vertx, spec.target().hostKey());
  }
}
