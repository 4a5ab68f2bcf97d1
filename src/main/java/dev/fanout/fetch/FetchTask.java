package dev.fanout.fetch;

import dev.fanout.bus.Capture;
import dev.fanout.bus.FetchResult;
import dev.fanout.net.UrlTarget;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpMethod;
import java.util.Map;

/**
 * The state of one fetch as it moves through a fetcher: queued at its host, waiting for a global
 * permit, running an attempt, backing off, done. Mutated only on its fetcher's event loop.
 */
final class FetchTask {
  enum Phase { QUEUED, PERMIT, RUNNING, BACKOFF, DONE }

  final String url;
  final Promise<FetchResult> result = Promise.promise();
  final long timeoutMs;
  final long deadlineNanos;
  final long startNanos;
  final int retries;
  final long maxBytes;
  final boolean followRedirects;
  final Capture capture;
  /** The cancel group, or null. */
  final String group;

  UrlTarget target;
  HttpMethod method;
  Map<String, String> headers;
  String body;
  int attempts;
  int redirects;
  Phase phase = Phase.QUEUED;
  HostLimiter host;
  /** The running attempt, while RUNNING. */
  Attempt attempt;
  /** The one timer the task holds (deadline, attempt limit or backoff), or -1. */
  long timer = -1;
  /** Or, while running, its attempt limit in the fetcher's {@link Timeouts}. */
  Timeouts.Entry limit;

  FetchTask(String url, UrlTarget target, HttpMethod method, Map<String, String> headers, String body,
      long timeoutMs, long startNanos, long deadlineNanos, int retries, long maxBytes,
      boolean followRedirects, Capture capture, String group, int attempts, int redirects) {
    this.url = url;
    this.target = target;
    this.method = method;
    this.headers = headers;
    this.body = body;
    this.timeoutMs = timeoutMs;
    this.startNanos = startNanos;
    this.deadlineNanos = deadlineNanos;
    this.retries = retries;
    this.maxBytes = maxBytes;
    this.followRedirects = followRedirects;
    this.capture = capture;
    this.group = group;
    this.attempts = attempts;
    this.redirects = redirects;
  }

  long elapsedMs(long now) {
    return (now - startNanos) / 1_000_000;
  }

  long remainingMs(long now) {
    return Math.max(0, (deadlineNanos - now) / 1_000_000);
  }

  /** The URL of the current hop, as reported in {@code finalUrl}. */
  String finalUrl() {
    return redirects == 0 ? url : target.normalised();
  }
}
