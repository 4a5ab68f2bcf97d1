package dev.fanout.api;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.ReadStream;

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

  /** Runs a gather ({@code {urls | requests, concurrency, mode}}, the body of {@code POST /v1/fetch}). */
  Future<GatherResult> gather(JsonObject request);

  /**
   * Runs a gather and streams its results as they complete (each with its {@code index} in the
   * request), with back-pressure: a paused stream starts no new fetch.
   */
  ReadStream<FetchResult> stream(JsonObject request);
}
