package dev.fanout.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.FetchResult;
import dev.fanout.bus.HostShards;
import dev.fanout.fetch.FetchPool;
import dev.fanout.testing.Conditions;
import dev.fanout.testing.Fetchers;
import dev.fanout.testing.Service;
import dev.fanout.testing.TargetServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The admin class {@code fetcher}: more fetchers on one node at run time, and their removal, while
 * fetches run; the per-host limit holds throughout. The test thread waits with {@code await()}.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FetcherAdminTest {
  private static final String VERTICLES = "/v1/admin/verticles";
  private static final int PER_HOST = 2;
  WebClient web;

  private static int shards(Vertx vertx) {
    return FetchPool.fetchers(vertx).stream().mapToInt(f -> f.getInteger("shards")).sum();
  }

  @Test
  void fetchers_added_and_removed_under_load_keep_the_per_host_limit(Vertx vertx) throws TimeoutException {
    web = WebClient.create(vertx);
    int port = Service.start(vertx, new JsonObject().put("admin", new JsonObject().put("enabled", true))
        .put("fetch", new JsonObject().put("instances", 1).put("perHost", PER_HOST))).await(30, TimeUnit.SECONDS);
    List<TargetServer> hosts = TargetServer.startMany(vertx, 6, new AtomicInteger(), new AtomicInteger()).await();
    Future<List<FetchResult>> first = Fetchers.all(vertx, TargetServer.specs(hosts, 20, "/delay?ms=20"));
    Conditions.until(vertx, () -> hosts.stream().allMatch(t -> t.requests() > 0), 10_000).await();

    HttpResponse<Buffer> added = web.post(port, "127.0.0.1", VERTICLES)
        .sendJsonObject(new JsonObject().put("class", "fetcher").put("instances", 2)).await();
    assertThat(added.statusCode()).as(added.bodyAsString()).isEqualTo(201);
    assertThat(added.bodyAsJsonObject().getString("name")).isEqualTo("fetcher");
    assertThat(FetchPool.fetchers(vertx)).hasSize(3).allMatch(f -> f.getInteger("shards") > 0);
    assertThat(shards(vertx)).isEqualTo(HostShards.COUNT);

    Future<List<FetchResult>> second = Fetchers.all(vertx, TargetServer.specs(hosts, 10, "/delay?ms=20"));
    Conditions.until(vertx, () -> hosts.stream().mapToInt(TargetServer::requests).sum() > 6 * 22, 10_000).await();
    HttpResponse<Buffer> removed = web.delete(port, "127.0.0.1", VERTICLES + "/"
        + added.bodyAsJsonObject().getString("id")).send().await();
    assertThat(removed.statusCode()).as(removed.bodyAsString()).isEqualTo(200);
    assertThat(FetchPool.fetchers(vertx)).hasSize(1);
    assertThat(shards(vertx)).isEqualTo(HostShards.COUNT);

    List<FetchResult> third = Fetchers.all(vertx, TargetServer.specs(hosts, 5, "/delay?ms=5")).await();
    assertThat(first.await()).hasSize(120).allMatch(FetchResult::ok);
    assertThat(second.await()).hasSize(60).allMatch(FetchResult::ok);
    assertThat(third).hasSize(30).allMatch(FetchResult::ok);
    assertThat(hosts).allSatisfy(t -> assertThat(t.maxInFlight()).as("host %d", t.port()).isBetween(1, PER_HOST));
  }

  @Test
  void the_fetcher_class_needs_no_allow_list_and_takes_no_config(Vertx vertx) throws TimeoutException {
    web = WebClient.create(vertx);
    int port = Service.start(vertx, new JsonObject().put("admin", new JsonObject().put("enabled", true)))
        .await(30, TimeUnit.SECONDS);
    HttpResponse<Buffer> r = web.post(port, "127.0.0.1", VERTICLES).sendJsonObject(new JsonObject()
        .put("class", "fetcher").put("config", new JsonObject().put("perHost", 9))).await();
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getString("field")).isEqualTo("config");
  }
}
