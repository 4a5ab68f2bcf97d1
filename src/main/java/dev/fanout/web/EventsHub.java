package dev.fanout.web;

import dev.fanout.bus.Addresses;
import dev.fanout.bus.BusFailure;
import dev.fanout.bus.FailureCode;
import dev.fanout.config.EventsConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /v1/events} for one web verticle: its clients' {@link EventStream}s, fed from one
 * {@code fanout.events} consumer, one tick timer ({@link EventTicks}) and one set of batch
 * follow-ups ({@link BatchFollower}), all shared by its clients and running only while at least
 * one is connected. At most {@code events.maxClients} streams (else 503). On stop every stream
 * is ended at once, so a stopping web verticle is not held for {@code http.shutdownGraceMs} by
 * responses that never end by themselves. Used on the verticle's event loop only.
 *
 * <p>{@code Last-Event-ID} is not resumed: a tick is a whole snapshot and a batch event carries
 * its totals, so a client that reconnects is whole again at its first tick.
 */
final class EventsHub {
  private final Vertx vertx;
  private final EventsConfig cfg;
  private final List<EventStream> streams = new ArrayList<>();
  private final EventTicks ticks;
  private final BatchFollower batches;
  private MessageConsumer<Object> consumer;
  private long timer = -1;
  private boolean closed;

  EventsHub(Vertx vertx, EventsConfig cfg) {
    this.vertx = vertx;
    this.cfg = cfg;
    this.ticks = new EventTicks(vertx, cfg.tickMs());
    this.batches = new BatchFollower(vertx, batch -> broadcast("batch", batch));
  }

  /** The route's handler: a new stream, or a 503 problem when stopping or at {@code events.maxClients}. */
  void serve(RoutingContext ctx) {
    if (closed) {
      Problem.fail(ctx, new BusFailure(FailureCode.UNAVAILABLE, "the service is stopping"));
      return;
    }
    if (streams.size() >= cfg.maxClients()) {
      Problem.fail(ctx, new BusFailure(FailureCode.UNAVAILABLE, "this server has " + streams.size()
          + " event streams open, its limit (events.maxClients); try again later"));
      return;
    }
    EventStream[] self = new EventStream[1];
    self[0] = new EventStream(ctx, cfg.maxBufferedBytes(), () -> left(self[0]));
    streams.add(self[0]);
    if (streams.size() == 1) {
      start(); // its first tick goes to this client
    } else if (ticks.hasQueues()) {
      self[0].send(EventStream.frame("tick", ticks.snapshot()));
    } // else the first tick, on its way, goes to this client too
  }

  /** Ends every stream and refuses new ones: the web verticle is stopping. */
  void close() {
    closed = true;
    List.copyOf(streams).forEach(EventStream::end);
    streams.clear();
    stop();
  }

  private void start() {
    consumer = vertx.eventBus().consumer(Addresses.EVENTS, this::onEvent);
    ticks.reset();
    timer = vertx.setPeriodic(cfg.tickMs(), id -> tick());
    tick();
  }

  private void stop() {
    if (consumer != null) {
      consumer.unregister();
      consumer = null;
    }
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    batches.clear();
  }

  private void left(EventStream s) {
    if (streams.remove(s) && streams.isEmpty()) {
      stop();
    }
  }

  private void tick() {
    ticks.next().onSuccess(t -> broadcast("tick", t));
  }

  private void onEvent(Message<Object> msg) {
    if (!(msg.body() instanceof JsonObject e) || streams.isEmpty()) {
      return;
    }
    String type = String.valueOf(e.getValue("type"));
    switch (type) {
      case "attempts" -> {
        ticks.attempts(count(e, "completed"), count(e, "failed"));
        if (e.getValue("batches") instanceof JsonObject named) {
          named.fieldNames().forEach(batches::changed);
        }
      }
      case "enqueued" -> {
        ticks.enqueued(count(e, "count"));
        if (e.getValue("batch") instanceof String batch) {
          batches.changed(batch);
        }
      }
      case "draining" -> { }
      default -> {
        return; // not one of the stream's events
      }
    }
    broadcast(type, e);
  }

  private static long count(JsonObject e, String field) {
    return e.getValue(field) instanceof Number n ? n.longValue() : 0;
  }

  private void broadcast(String event, JsonObject data) {
    if (streams.isEmpty()) {
      return;
    }
    Buffer frame = EventStream.frame(event, data);
    List.copyOf(streams).forEach(s -> {
      if (!s.send(frame)) {
        left(s);
      }
    });
  }
}
