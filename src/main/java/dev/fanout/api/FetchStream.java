package dev.fanout.api;

import io.vertx.core.Handler;
import io.vertx.core.streams.ReadStream;

/**
 * The results of a gather as they complete ({@link FetchClient#stream}), each with its
 * {@code index} in the request. It starts when a handler is set. Back-pressure is real: while the
 * stream is paused (or its demand is used up) no new fetch starts, and the results of fetches
 * already in flight wait in a buffer no larger than the gather's concurrency. The end handler runs
 * after the last result; bad input reaches the exception handler as the 400
 * {@code ReplyException} {@code fanout.gather} would answer, naming the field.
 */
public interface FetchStream extends ReadStream<FetchResult> {
  /**
   * Stops early: no fetch starts any more, those in flight are cancelled (they end with error kind
   * {@code cancelled} and are not delivered), buffered results are dropped, and the end handler
   * runs. Does nothing once the stream has ended.
   */
  void cancel();

  @Override
  FetchStream exceptionHandler(Handler<Throwable> handler);

  @Override
  FetchStream handler(Handler<FetchResult> handler);

  @Override
  FetchStream pause();

  @Override
  FetchStream resume();

  @Override
  FetchStream fetch(long amount);

  @Override
  FetchStream endHandler(Handler<Void> endHandler);
}
