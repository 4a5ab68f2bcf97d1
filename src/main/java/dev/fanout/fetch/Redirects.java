package dev.fanout.fetch;

import dev.fanout.bus.ErrorKind;
import dev.fanout.bus.FetchResult.FetchError;
import dev.fanout.bus.FetchResult;
import dev.fanout.bus.FetchSpec.Request;
import dev.fanout.net.UrlTarget;
import io.vertx.core.http.HttpMethod;
import java.util.LinkedHashMap;
import java.util.Locale;
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

  private Redirects() {}

  static boolean isRedirect(Response r) {
    int s = r.status();
    return (s == 301 || s == 302 || s == 303 || s == 307 || s == 308) && r.headers().get("location") != null;
  }

  /**
   * Points {@code task} at the redirect target and passes it to {@code hop}, or ends it through
   * {@code finish} when its spec's {@code maxRedirects} is reached or the location is not fetchable.
   */
  static void follow(FetchTask task, Response r, long now, BiConsumer<FetchTask, FetchResult> finish,
      Consumer<FetchTask> hop) {
    int max = task.spec.options().maxRedirects();
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
    task.request = nextRequest(task.request, r.status(), !next.hostKey().equals(task.target.hostKey()));
    task.target = next;
    task.redirects++;
    hop.accept(task);
  }

  /** The request of the next hop: the method a status asks for, without credentials to another host. */
  private static Request nextRequest(Request request, int status, boolean otherHost) {
    HttpMethod method = request.method();
    String body = request.body();
    if (status == 303 && method != HttpMethod.HEAD || (status == 301 || status == 302) && method == HttpMethod.POST) {
      method = HttpMethod.GET;
      body = null;
    }
    Map<String, String> headers = request.headers();
    if (otherHost) {
      Map<String, String> kept = new LinkedHashMap<>();
      headers.forEach((k, v) -> {
        if (!CREDENTIALS.contains(k.toLowerCase(Locale.ROOT))) {
          kept.put(k, v);
        }
      });
      headers = kept;
    }
    return method == request.method() && headers == request.headers() ? request : new Request(method, headers, body);
  }
}
