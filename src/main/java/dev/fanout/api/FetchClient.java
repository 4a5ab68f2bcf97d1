package dev.fanout.api;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Fetches through fanout's fetcher pool from any verticle on the bus (per-host limits, retries,
 * the egress policy all apply). Get one with {@link Fanout#fetchClient}.
 */
public interface FetchClient {
  /** Fetches one spec ({@code {"url", ...}}, docs/fetch.md); bad input fails with a 400 {@code ReplyException}. */
  Future<FetchResult> fetch(JsonObject spec);

  /** Fetches {@code url} with the default options. */
  default Future<FetchResult> fetch(String url) {
    return fetch(new JsonObject().put("url", url));
  }

  /**
   * Runs a gather ({@code {urls | requests, concurrency, mode}}, the body of {@code POST /v1/fetch})
   * on {@code fanout.gather}; completes with every result once all are in, or fails with the 400
   * {@code ReplyException} naming the bad field.
   */
  Future<GatherResult> gather(JsonObject request);

  /**
   * Runs a gather and streams its results as they complete (each with its {@code index} in the
   * request), with back-pressure: a paused stream starts no new fetch. The request is checked by
   * the rules of {@code fanout.gather} (bad input reaches the stream's exception handler); the
   * gather runs here, each spec sent to {@code fanout.fetch}, so it works from any node.
   */
  FetchStream stream(JsonObject request);
}
