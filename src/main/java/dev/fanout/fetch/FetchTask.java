package dev.fanout.fetch;

import dev.fanout.bus.FetchResult;
import dev.fanout.bus.FetchSpec;
import dev.fanout.bus.Handoff;
import dev.fanout.net.UrlTarget;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * The state of one fetch as it moves through a fetcher: queued at its host, waiting for a global
 * permit, running an attempt, backing off, done. What was asked is the immutable {@link #spec};
 * the rest is progress. Mutated only on its fetcher's event loop.
 */
final class FetchTask {
  enum Phase { QUEUED, PERMIT, RUNNING, BACKOFF, DONE }

  /** The fetch as accepted here (for a hand-off: its next hop), resolved: options and group. */
  final FetchSpec spec;
  /** The URL first requested: the result's {@code url}. */
  final String url;
  final Promise<FetchResult> result = Promise.promise();
  final long startNanos;
  final long deadlineNanos;

  /** The current hop's target and request; a redirect changes them. */
  UrlTarget target;
  FetchSpec.Request request;
  int attempts = 1;
  int redirects;
  Phase phase = Phase.QUEUED;
  HostLimiter host;
  /** The running attempt, while RUNNING. */
  Attempt attempt;
  /** The one timer the task holds (deadline, attempt limit or backoff), or -1. */
  long timer = -1;
  /** Or, while running, its attempt limit in the fetcher's {@link Timeouts}. */
  Timeouts.Entry limit;

  /** A new fetch of {@code spec}, accepted at {@code now}. */
  FetchTask(FetchSpec spec, long now) {
    this.spec = spec;
    this.url = spec.url();
    this.target = spec.target();
    this.request = spec.request();
    this.startNanos = now;
    this.deadlineNanos = now + spec.options().timeouts().deadlineMs() * 1_000_000;
  }

  /** A fetch redirected here by another fetcher, continuing where {@code h} says it stands. */
  FetchTask(Handoff h, long now) {
    this.spec = h.next();
    this.url = h.url();
    this.target = spec.target();
    this.request = spec.request();
    this.startNanos = now - h.elapsedMs() * 1_000_000;
    this.deadlineNanos = now + h.deadlineLeftMs() * 1_000_000;
    this.attempts = h.attempts();
    this.redirects = h.redirects();
  }

  /** This task's state as a hand-off of its current hop, at {@code now}. */
  Handoff handoff(long now) {
    FetchSpec next = new FetchSpec(target.normalised(), target, request, spec.options(), spec.group());
    return new Handoff(next, url, attempts, redirects, elapsedMs(now), Math.max(1, remainingMs(now)));
  }

  long elapsedMs(long now) {
    return (now - startNanos) / 1_000_000;
  }

  long remainingMs(long now) {
    return Math.max(0, (deadlineNanos - now) / 1_000_000);
  }

  /** Cancels the timer and the attempt limit the task holds, if any. */
  void cancelTimers(Vertx vertx) {
    if (limit != null) {
      limit.cancel();
      limit = null;
    }
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  /** The URL of the current hop, as reported in {@code finalUrl}. */
  String finalUrl() {
    return redirects == 0 ? url : target.normalised();
  }
}
