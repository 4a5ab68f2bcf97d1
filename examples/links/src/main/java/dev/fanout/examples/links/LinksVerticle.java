package dev.fanout.examples.links;

import dev.fanout.api.Fanout;
import dev.fanout.api.FetchClient;
import dev.fanout.api.FetchResult;
import dev.fanout.api.JobContext;
import dev.fanout.api.JobOptions;
import dev.fanout.api.JobReply;
import dev.fanout.api.JobsClient;
import dev.fanout.api.Registration;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Counter;
import java.time.Duration;
import java.util.List;

/**
 * The {@code links} job kind: a same-site crawler built on fanout's public API alone.
 *
 * <p>A job {@code {"url", "maxDepth"?, "budget"?}} starts a crawl: it enqueues the first page.
 * A page job fetches its page through the fetcher pool ({@link Fanout#fetchClient}: per-host
 * limits, retries and the egress policy apply), extracts the same-site links with jsoup on a
 * worker thread, enqueues each as a page job one level deeper (while the depth and the budget
 * allow) and completes with the page's links. All of a crawl's jobs join the batch of the job that
 * started it, so {@code GET /v1/batches/{id}} shows the crawl finishing.
 *
 * <p>Every page is visited once, whatever the cycles: a page job's idempotency key is the crawl
 * and the page's normalised URL, so the queue itself (durably, across retries and restarts)
 * turns a second enqueue of the page into the job that exists. The budget is a crawl-wide
 * {@link Counter} (cluster-wide when clustered): each page job takes one unit on its first attempt
 * and, past the budget, completes without fetching.
 *
 * <p>Config (all optional): {@code concurrency} (page jobs at once on this node, 8),
 * {@code timeoutMs} (one attempt, 120000), {@code maxBytes} (the largest page read, 2 MiB).
 */
public final class LinksVerticle extends VerticleBase {
  /** The job kind. */
  public static final String KIND = "links";
  /** The most links of one page that are followed (one enqueue). */
  static final int MAX_LINKS = 1000;

  private Registration registration;
  private FetchClient fetches;
  private JobsClient jobs;
  private long maxBytes;

  @Override
  public Future<?> start() {
    JobOptions options = JobOptions.defaults()
        .concurrency(config().getInteger("concurrency", 8))
        .timeout(Duration.ofMillis(config().getLong("timeoutMs", 120_000L)));
    maxBytes = config().getLong("maxBytes", 2L << 20);
    fetches = Fanout.fetchClient(vertx);
    jobs = Fanout.jobsClient(vertx);
    return Fanout.registerHandler(vertx, KIND, options, this::handle).onSuccess(r -> registration = r);
  }

  @Override
  public Future<?> stop() {
    return registration == null ? Future.succeededFuture() : registration.unregister();
  }

  private Future<JobReply> handle(JobContext job) {
    if (Page.startsCrawl(job.payload())) {
      return startCrawl(job);
    }
    Page page;
    try {
      page = Page.fromJson(job.payload());
    } catch (IllegalArgumentException e) {
      return Future.succeededFuture(JobReply.cancel(e.getMessage())); // written by hand, wrongly: no retry helps
    }
    return visit(job, page);
  }

  private Future<JobReply> startCrawl(JobContext job) {
    Page first;
    try {
      first = Page.first(job.payload(), job.id());
    } catch (IllegalArgumentException e) {
      return Future.succeededFuture(JobReply.cancel(e.getMessage())); // bad input: retrying cannot help
    }
    return enqueue(job, List.of(first)).map(ids -> JobReply.complete(new JsonObject()
        .put("crawl", first.crawl()).put("url", first.url()).put("firstPage", ids.getLong(0))));
  }

  private Future<JobReply> visit(JobContext job, Page page) {
    return charge(job, page).compose(admitted -> admitted ? fetchAndFollow(job, page)
        : Future.succeededFuture(JobReply.complete(new JsonObject().put("url", page.url())
            .put("depth", page.depth()).put("skipped", "budget"))));
  }

  /**
   * Whether the page is within the budget. The first attempt takes a unit; a later one was
   * admitted by it (a refused page completes, so it is never retried).
   */
  private Future<Boolean> charge(JobContext job, Page page) {
    return job.attempt() > 1 ? Future.succeededFuture(true)
        : budget(page).compose(Counter::incrementAndGet).map(n -> n <= page.budget());
  }

  private Future<JobReply> fetchAndFollow(JobContext job, Page page) {
    JsonObject spec = new JsonObject().put("url", page.url()).put("capture", "text").put("maxBytes", maxBytes);
    return fetches.fetch(spec).compose(r -> {
      if (!r.ok() || !html(r) || r.body() == null) {
        return Future.succeededFuture(JobReply.complete(result(page, r, List.of(), 0)));
      }
      // jsoup builds the whole tree: CPU work, on a worker thread; unordered, so pages parse in parallel
      return vertx.executeBlocking(() -> PageLinks.extract(r.body(), r.finalUrl(), page.site()), false)
          .compose(links -> follow(job, page, links).map(n -> JobReply.complete(result(page, r, links, n))));
    });
  }

  /** Enqueues the page's links one level deeper, unless at the depth or the budget; completes with how many. */
  private Future<Integer> follow(JobContext job, Page page, List<String> links) {
    if (page.depth() >= page.maxDepth() || links.isEmpty()) {
      return Future.succeededFuture(0);
    }
    List<Page> children = links.subList(0, Math.min(links.size(), MAX_LINKS)).stream().map(page::child).toList();
    // spent already: enqueueing more would only make jobs that complete as skipped
    return budget(page).compose(Counter::get).compose(spent -> spent >= page.budget() ? Future.succeededFuture(0)
        : enqueue(job, children).map(ids -> children.size()));
  }

  /** Enqueues page jobs in {@code job}'s batch, each keyed by its crawl and URL; completes with their ids. */
  private Future<JsonArray> enqueue(JobContext job, List<Page> pages) {
    JsonArray list = new JsonArray();
    for (Page p : pages) {
      list.add(new JsonObject().put("kind", KIND).put("payload", p.toJson()).put("idempotencyKey", p.key()));
    }
    JsonObject request = new JsonObject().put("jobs", list);
    if (job.batch() != null) {
      request.put("batch", job.batch());
    }
    return jobs.enqueue(request).map(r -> r.getJsonArray("ids"));
  }

  private Future<Counter> budget(Page page) {
    return vertx.sharedData().getCounter("links.budget." + page.crawl());
  }

  private static boolean html(FetchResult r) {
    Object type = r.headers().getValue("content-type");
    return type == null || type.toString().contains("html");
  }

  private static JsonObject result(Page page, FetchResult r, List<String> links, int followed) {
    JsonObject out = new JsonObject().put("url", page.url()).put("finalUrl", r.finalUrl()).put("status", r.status())
        .put("depth", page.depth()).put("links", new JsonArray(links)).put("followed", followed);
    return r.errorKind() == null ? out : out.put("error", r.errorKind());
  }
}
