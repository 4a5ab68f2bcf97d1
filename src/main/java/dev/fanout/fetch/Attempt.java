package dev.fanout.fetch;

import dev.fanout.bus.ErrorKind;
import dev.fanout.net.UrlTarget;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.net.InetAddress;
import java.util.function.Function;

/**
 * One attempt of a fetch: resolve the host, check the resolved address against the egress
 * policy, then run the {@link Exchange} against exactly that address. Abortable in every phase
 * (attempt timeout, deadline, cancel); a blocked address opens no connection.
 */
final class Attempt {
  private final Promise<Response> promise = Promise.promise();
  private Exchange exchange;

  /** The outcome: a response, or a {@link FetchFailure}. */
  Future<Response> future() {
    return promise.future();
  }

  /**
   * Starts the attempt: {@code resolve} gives the address of a DNS name, {@code policy} judges
   * it, {@code send} runs the exchange against it.
   */
  Attempt start(UrlTarget target, Function<String, Future<InetAddress>> resolve, EgressPolicy policy,
      Function<InetAddress, Exchange> send) {
    try {
      begin(target, resolve, policy, send);
    } catch (RuntimeException e) {
      failed(e);
    }
    return this;
  }

  /**
   * Ends the attempt with {@code internal} because starting it threw (Vert.x validates headers
   * when the request is built, for one): a failed attempt like any other, so the fetcher releases
   * its host slot and permit and replies.
   */
  private void failed(RuntimeException e) {
    if (exchange != null) {
      exchange.abort(ErrorKind.INTERNAL, "the request could not be sent: " + e.getMessage());
    }
    promise.tryFail(new FetchFailure(ErrorKind.INTERNAL, "the request could not be sent: " + e.getMessage()));
  }

  private void begin(UrlTarget target, Function<String, Future<InetAddress>> resolve, EgressPolicy policy,
      Function<InetAddress, Exchange> send) {
    Future<InetAddress> address = target.literal() != null
        ? Future.succeededFuture(target.literal())
        : resolve.apply(target.host()).recover(e -> Future.failedFuture(
            new FetchFailure(ErrorKind.DNS, "cannot resolve " + target.host() + ": " + e.getMessage())));
    address.onComplete(ar -> {
      if (promise.future().isComplete()) {
        return;
      }
      if (ar.failed()) {
        promise.tryFail(FetchFailure.of(ar.cause()));
        return;
      }
      String denied = policy.check(ar.result());
      if (denied != null) {
        promise.tryFail(new FetchFailure(ErrorKind.BLOCKED, denied));
        return;
      }
      try {
        exchange = send.apply(ar.result());
      } catch (RuntimeException e) {
        failed(e);
        return;
      }
      exchange.future().onComplete(r -> {
        if (r.failed()) {
          promise.tryFail(r.cause());
        } else if (!promise.tryComplete(r.result())) {
          r.result().release(); // the attempt was aborted first: nobody else will free the body
        }
      });
    });
  }

  /** Ends the attempt with {@code kind} unless it has ended already. */
  void abort(ErrorKind kind, String message) {
    if (exchange != null) {
      exchange.abort(kind, message);
    }
    promise.tryFail(new FetchFailure(kind, message));
  }
}
