package dev.fanout.api;

import dev.fanout.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.ReadStream;

/** {@link FetchClient} over {@code fanout.fetch} and {@code fanout.gather}. */
final class BusFetchClient implements FetchClient {
  private static final DeliveryOptions LONG = new DeliveryOptions().setSendTimeout(180_000);
  private final Vertx vertx;

  BusFetchClient(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public Future<FetchResult> fetch(JsonObject spec) {
    return vertx.eventBus().<JsonObject>request(Addresses.FETCH, spec, LONG).map(m -> new FetchResult(m.body()));
  }

  @Override
  public Future<GatherResult> gather(JsonObject request) {
    return vertx.eventBus().<JsonObject>request(Addresses.GATHER, request, LONG).map(m -> new GatherResult(m.body()));
  }

  @Override
  public ReadStream<FetchResult> stream(JsonObject request) {
    throw new UnsupportedOperationException("not built yet");
  }
}
