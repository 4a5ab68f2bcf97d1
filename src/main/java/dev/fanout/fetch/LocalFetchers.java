package dev.fanout.fetch;

import dev.fanout.bus.FetchSpec;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The fetchers running in this process, by id, for senders in the same process: a fetch whose
 * owner is one of them is handed to it on its own context, and its result comes back on the
 * sender's, with no event-bus message, reply address or reply timer on either way. Everything
 * else (cancel, ownership moves, other nodes' fetchers) still goes over the bus. A fetcher is
 * listed while it takes fetches: from its start until its stop begins.
 */
final class LocalFetchers implements Shareable {
  private static final String STATE = "fanout.fetch.local";

  /** A fetcher: its context, and what takes a fetch there and calls back with its result. */
  private record Target(Context context, BiConsumer<FetchSpec, Handler<Object>> onFetch) {}

  private final Map<String, Target> byId = new ConcurrentHashMap<>();

  /** The fetchers of {@code vertx}. */
  static LocalFetchers of(Vertx vertx) {
    LocalMap<String, LocalFetchers> m = vertx.sharedData().getLocalMap(STATE);
    LocalFetchers f = m.get("fetchers");
    if (f == null) {
      LocalFetchers mine = new LocalFetchers();
      f = m.putIfAbsent("fetchers", mine);
      f = f == null ? mine : f;
    }
    return f;
  }

  /**
   * Lists fetcher {@code id}: {@code onFetch} runs on {@code context} with a fetch and where its
   * result goes (a {@code FetchResult}, or the JSON another fetcher answered with).
   */
  void add(String id, Context context, BiConsumer<FetchSpec, Handler<Object>> onFetch) {
    byId.put(id, new Target(context, onFetch));
  }

  /** Takes fetcher {@code id} off the list: from now on fetches reach it over the bus. */
  void remove(String id) {
    byId.remove(id);
  }

  /**
   * Hands {@code spec} to fetcher {@code id} when it runs in this process; its result is given to
   * {@code onResult} on {@code replyTo}. False, and nothing sent, when it does not.
   */
  boolean send(String id, FetchSpec spec, Context replyTo, Handler<Object> onResult) {
    Target t = byId.get(id);
    if (t == null) {
      return false;
    }
    t.context().runOnContext(v -> t.onFetch().accept(spec,
        result -> replyTo.runOnContext(w -> onResult.handle(result))));
    return true;
  }
}
