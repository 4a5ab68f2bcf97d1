package dev.fanout.examples.links;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.api.Fanout;
import dev.fanout.api.JobsClient;
import dev.fanout.testing.Service;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The {@code links} example in the real service, crawling a local site: every page once (cycles,
 * self links, fragments and two spellings of a URL included), nothing off the site, nothing past
 * the depth, never more pages than the budget, and the crawl's one batch finishing.
 */
@ExtendWith(VertxExtension.class)
class LinksVerticleTest {

  /** Starts the service and the example, and a crawl of {@code root}; completes with the batch once done. */
  private static Future<JsonObject> crawl(Vertx vertx, String root, int maxDepth, int budget) {
    JobsClient jobs = Fanout.jobsClient(vertx);
    JsonObject start = new JsonObject().put("kind", "links")
        .put("payload", new JsonObject().put("url", root).put("maxDepth", maxDepth).put("budget", budget));
    return vertx.deployVerticle(new LinksVerticle())
        .compose(id -> jobs.enqueue(start))
        .compose(e -> jobs.awaitBatch(e.getString("batch"), Duration.ofSeconds(60)));
  }

  /** The completed page jobs of a batch (the crawl's start left out). */
  private static Future<List<JsonObject>> pages(Vertx vertx, String batch) {
    return vertx.eventBus().<JsonObject>request("fanout.jobs.list", new JsonObject().put("batch", batch)
        .put("limit", 1000)).map(m -> {
          List<JsonObject> out = new ArrayList<>();
          JsonArray jobs = m.body().getJsonArray("jobs");
          for (int i = 0; i < jobs.size(); i++) {
            if (jobs.getJsonObject(i).getJsonObject("payload").containsKey("crawl")) {
              out.add(jobs.getJsonObject(i));
            }
          }
          return out;
        });
  }

  @Test
  void visits_every_page_of_the_site_once_within_the_depth(Vertx vertx, VertxTestContext ctx) {
    Map<String, List<String>> graph = new LinkedHashMap<>();
    Site[] other = new Site[1];
    graph.put("/", List.of("/a", "b", "/#top", "/a#frag", "mailto:x@example.com", "javascript:void(0)"));
    graph.put("/a", List.of("/a1", "/a2", "/", "/a", "b"));                   // back to the root, itself, a sibling
    graph.put("/b", List.of("/b1", "/A/../a", "../"));                         // two spellings of pages already seen
    graph.put("/a1", List.of("/a1x", "/a"));
    graph.put("/a2", List.of("/missing"));                                       // a 404: visited, no links
    graph.put("/b1", List.of("/b", "http://example.invalid/x"));                // a cycle, and another site
    graph.put("/a1x", List.of("/a1xy", "/"));                                   // depth 3: its link is too deep
    graph.put("/a1xy", List.of("/"));
    Service.start(vertx, new JsonObject())
        .compose(port -> Site.start(vertx, Map.of("/x", List.of())))
        .compose(o -> {
          other[0] = o;
          List<String> rootLinks = new ArrayList<>(graph.get("/"));
          rootLinks.add(o.url("/x")); // same host, another port: another site
          graph.put("/", rootLinks);
          return Site.start(vertx, graph);
        })
        .compose(site -> crawl(vertx, site.url("/"), 3, 100)
            .compose(batch -> pages(vertx, batch.getString("id")).map(pages -> List.of(site, batch, pages))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          Site site = (Site) r.get(0);
          JsonObject batch = (JsonObject) r.get(1);
          assertThat(batch.getBoolean("done")).isTrue();
          assertThat(site.hits()).isEqualTo(Map.of("/", 1, "/a", 1, "/b", 1, "/a1", 1, "/a2", 1, "/b1", 1,
              "/a1x", 1, "/missing", 1));
          assertThat(other[0].hits()).isEmpty();
          @SuppressWarnings("unchecked")
          List<JsonObject> pages = (List<JsonObject>) r.get(2);
          assertThat(pages).hasSize(8).allMatch(j -> "completed".equals(j.getString("state")));
          assertThat(batch.getLong("total")).isEqualTo(9); // the crawl's start and its 8 pages
          JsonObject root = pages.stream().filter(j -> j.getJsonObject("payload").getInteger("depth") == 0)
              .findFirst().orElseThrow().getJsonObject("result");
          assertThat(root.getJsonArray("links")).containsExactly(site.url("/a"), site.url("/b"), site.url("/"));
          assertThat(pages).allMatch(j -> j.getJsonObject("payload").getInteger("depth") <= 3);
          ctx.completeNow();
        })));
  }

  @Test
  void fetches_no_more_pages_than_the_budget(Vertx vertx, VertxTestContext ctx) {
    Map<String, List<String>> graph = new LinkedHashMap<>();
    List<String> top = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      List<String> children = new ArrayList<>();
      for (int j = 0; j < 5; j++) {
        children.add("/p" + i + "/" + j);
        graph.put("/p" + i + "/" + j, List.of());
      }
      graph.put("/p" + i, children);
      top.add("/p" + i);
    }
    graph.put("/", top);
    Service.start(vertx, new JsonObject())
        .compose(port -> Site.start(vertx, graph))
        .compose(site -> crawl(vertx, site.url("/"), 5, 7).map(batch -> List.of(site, batch)))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          Site site = (Site) r.get(0);
          assertThat(((JsonObject) r.get(1)).getBoolean("done")).isTrue();
          assertThat(site.hits().values()).allMatch(n -> n == 1);
          assertThat(site.hits().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(7);
          assertThat(site.hits()).containsKey("/");
          ctx.completeNow();
        })));
  }

  @Test
  void a_crawl_or_page_without_a_usable_payload_is_cancelled(Vertx vertx, VertxTestContext ctx) {
    JobsClient jobs = Fanout.jobsClient(vertx);
    Service.start(vertx, new JsonObject())
        .compose(port -> vertx.deployVerticle(new LinksVerticle()))
        .compose(id -> jobs.enqueue(new JsonObject().put("jobs", new JsonArray()
            .add(new JsonObject().put("kind", "links").put("payload", new JsonObject().put("url", "ftp://127.0.0.1/")))
            .add(new JsonObject().put("kind", "links").put("payload", new JsonObject().put("crawl", "7"))))))
        .compose(e -> jobs.awaitBatch(e.getString("batch"), Duration.ofSeconds(30))
            .compose(b -> jobs.get(e.getJsonArray("ids").getLong(0))
                .compose(start -> jobs.get(e.getJsonArray("ids").getLong(1)).map(page -> List.of(start, page)))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r).allMatch(job -> "cancelled".equals(job.getString("state")));
          assertThat(r.get(0).getJsonObject("result").getString("cancel")).startsWith("url: ");
          ctx.completeNow();
        })));
  }
}
