package dev.fanout.testing;

import dev.fanout.api.Fanout;
import dev.fanout.api.JobContext;
import dev.fanout.api.JobOptions;
import dev.fanout.api.JobReply;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * Test support: the job kind {@code http-get}, whose handler GETs the payload's {@code url} with a
 * client of its own (not through fanout's fetchers, so no event-bus hop to another node) and
 * completes with the status. Deployable in a node process ({@code serve --deploy
 * dev.fanout.testing.HttpJobsVerticle}: the test classes are on its class path) as in this JVM.
 */
public final class HttpJobsVerticle extends VerticleBase {
  /** The kind this verticle serves. */
  public static final String KIND = "http-get";
  /** Jobs run at once, and connections per host: every running job has its request in flight. */
  private static final int CONCURRENCY = 100;
  private HttpClient client;

  @Override
  public Future<?> start() {
    client = vertx.createHttpClient(new HttpClientOptions(), new PoolOptions().setHttp1MaxSize(CONCURRENCY));
    return Fanout.registerHandler(vertx, KIND,
        JobOptions.defaults().concurrency(CONCURRENCY).timeout(Duration.ofMinutes(3)), this::get);
  }

  private Future<JobReply> get(JobContext job) {
    return client.request(new RequestOptions().setMethod(HttpMethod.GET)
            .setAbsoluteURI(job.payload().getString("url")))
        .compose(req -> req.send().compose(resp -> resp.body().map(body -> resp)))
        .map(HttpClientResponse::statusCode)
        .map(status -> JobReply.complete(new JsonObject().put("status", status)));
  }

  @Override
  public Future<?> stop() {
    return client.close();
  }
}
