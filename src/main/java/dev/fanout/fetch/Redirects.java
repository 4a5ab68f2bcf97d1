package dev.fanout.fetch;

import dev.fanout.bus.ErrorKind;
import dev.fanout.bus.FetchResult;
import dev.fanout.bus.FetchResult.FetchError;
import dev.fanout.net.UrlTarget;
import io.vertx.core.http.HttpMethod;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Follows redirects by hand, so every hop is a new target that goes through URL validation, the
 * egress policy and its own host's limits. Method changes follow RFC 9110 and browsers: 303
 * becomes GET, and so do 301 and 302 after a POST; 307 and 308 keep method and body. Credentials
 * are not carried to another host.
 */
final class Redirects {
  private static final Set<String> CREDENTIALS = Set.of("authorization", "cookie", "proxy-authorization");
  private final int max;

  Redirects(int max) {
    this.max = max;
  }

  static boolean isRedirect(Exchange.Response r) {
    int s = r.status();
    return (s == 301 || s == 302 || s == 303 || s == 307 || s == 308) && r.headers().get("location") != null;
  }

  /**
   * Points {@code task} at the redirect target and passes it to {@code hop}, or ends it through
   * {@code finish} when the limit is reached or the location is not fetchable.
   */
  void follow(FetchTask task, Exchange.Response r, long now, BiConsumer<FetchTask, FetchResult> finish,
      Consumer<FetchTask> hop) {
    if (task.redirects >= max) {
      finish.accept(task, Results.withError(task, r, now,
          new FetchError(ErrorKind.TOO_MANY_REDIRECTS, "more than " + max + " redirects")));
      return;
    }
    UrlTarget next;
    try {
      next = task.target.resolve(r.headers().get("location"));
    } catch (UrlTarget.Invalid e) {
      finish.accept(task, Results.withError(task, r, now, new FetchError(ErrorKind.INVALID_URL, e.getMessage())));
      return;
    }
    int s = r.status();
    if (s == 303 && task.method != HttpMethod.HEAD || (s == 301 || s == 302) && task.method == HttpMethod.POST) {
      task.method = HttpMethod.GET;
      task.body = null;
    }
    if (!next.hostKey().equals(task.target.hostKey())) {
      Map<String, String> kept = new LinkedHashMap<>();
      task.headers.forEach((k, v) -> {
        if (!CREDENTIALS.contains(k.toLowerCase(java.util.Locale.ROOT))) {
          kept.put(k, v);
        }
      });
      task.headers = kept;
    }
    task.target = next;
    task.redirects++;
    hop.accept(task);
  }
}
