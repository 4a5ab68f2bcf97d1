package dev.fanout.queue;

import dev.fanout.bus.Addresses;
import dev.fanout.config.FanoutConfig;
import dev.fanout.config.QueueConfig;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs durable jobs: claims runnable jobs of the kinds registered on this node (FOR UPDATE SKIP
 * LOCKED, in batches), keeps at most each kind's concurrency in flight, dispatches each to
 * {@code fanout.job.<kind>} with its timeout, and writes the outcomes in batches. Leases of
 * running jobs are renewed; expired ones (a node that died) are rescued. NOTIFY wakes it at once
 * after an enqueue; a slow poll is the fallback. Stopping drains: no new claims, running jobs get
 * {@code queue.drainMs}, and the leases of those still running are released.
 */
public final class QueueWorkerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(QueueWorkerVerticle.class);
  private static final int FLUSH_AT = 1000;
  private static final int CLAIMS_IN_FLIGHT = 3;

  private final PgConnectOptions options;
  private final int poolSize;
  private Pool pool;
  private QueueConfig cfg;
  private JobStore store;
  private PgSubscriber subscriber;
  private final Map<String, Lane> lanes = new HashMap<>();
  private long registryVersion = -1;
  /** Claimed and not finished: in flight at a handler, or waiting in its {@link Lane}. Their leases are renewed. */
  private final Map<Long, JobStore.Claimed> running = new HashMap<>();
  private List<JobStore.Outcome> completed = new ArrayList<>();
  private List<JobStore.Outcome> failed = new ArrayList<>();
  private List<JobStore.Outcome> later = new ArrayList<>();
  private List<JobStore.Outcome> cancelled = new ArrayList<>();
  /** Outcomes buffered per batch id, for the {@code attempts} event after they are written. */
  private Map<String, Integer> byBatch = new HashMap<>();
  private final List<Long> timers = new ArrayList<>();
  private long flushTimer = -1;
  private boolean pumpQueued;
  private boolean stopping;
  private Promise<Void> drained;

  /**
   * A worker on the database at {@code options}, with a pool of its own of {@code poolSize}.
   *
   * <p>Its connections commit asynchronously ({@code synchronous_commit = off}): a claim or an
   * outcome is not waited on to reach the disk. A crash can then lose the last moments of those
   * writes, which only means a job runs again (a lost claim leaves it runnable, a lost outcome
   * leaves it running until its lease is rescued) — at least once still holds — while an enqueue,
   * on the API's pool, is acknowledged only once it is on disk.
   */
  public QueueWorkerVerticle(PgConnectOptions options, int poolSize) {
    this.options = options;
    this.poolSize = poolSize;
  }

  @Override
  public Future<?> start() {
    cfg = FanoutConfig.fromJson(config()).queue();
    java.util.Map<String, String> props = new java.util.HashMap<>(options.getProperties());
    props.put("synchronous_commit", "off");
    // The claim must walk the runnable index in order and stop after its LIMIT. Right after a
    // large enqueue the statistics still say "few rows", and the planner then prefers a bitmap
    // scan that reads and sorts every runnable job of the kind on each claim; on this pool's
    // statements (all by primary key or a partial index) an index scan is always the right plan.
    props.put("enable_bitmapscan", "off");
    props.put("enable_seqscan", "off");
    pool = io.vertx.pgclient.PgBuilder.pool()
        .with(new io.vertx.sqlclient.PoolOptions().setMaxSize(poolSize).setName("fanout-worker"))
        // fanout's connection settings; one statement per connection matters most here: pipelining
        // queued claims behind outcome writes on one backend, on separate ones they run in parallel
        .connectingTo(dev.fanout.store.Database.tuned(new PgConnectOptions(options).setProperties(props)))
        .using(vertx)
        .build();
    store = new JobStore(pool, cfg.maxSnoozeMs());
    subscriber = PgSubscriber.subscriber(vertx, new PgConnectOptions(options)).reconnectPolicy(retries -> 1000L);
    subscriber.channel("fanout_jobs").handler(kind -> pumpSoon());
    return subscriber.connect()
        .recover(e -> {
          LOG.warn("LISTEN failed ({}); polling every {} ms instead", e.getMessage(), cfg.pollMs());
          return Future.succeededFuture();
        })
        .onSuccess(v -> {
          timers.add(vertx.setPeriodic(cfg.pollMs(), id -> pumpSoon()));
          timers.add(vertx.setPeriodic(cfg.renewEveryMs(), id -> renew()));
          timers.add(vertx.setPeriodic(cfg.rescueEveryMs(), id -> rescue()));
          timers.add(vertx.setPeriodic(cfg.pruneEveryMs(), id -> store.prune(cfg.retentionMs(), 10_000)
              .onFailure(e -> LOG.warn("prune failed: {}", e.getMessage()))));
          rescue();
          pumpSoon();
        });
  }

  /** Coalesces wake-ups (notifications, freed slots, the poll) into one pump per event-loop turn. */
  private void pumpSoon() {
    if (!pumpQueued) {
      pumpQueued = true;
      context.runOnContext(v -> {
        pumpQueued = false;
        pump();
      });
    }
  }

  private void pump() {
    if (stopping) {
      return;
    }
    long version = JobHandlers.VERSION.get();
    if (version != registryVersion) {
      // the registry copies its values on every read: read it only after a change
      registryVersion = version;
      lanes.values().forEach(lane -> lane.registered = false);
      JobHandlers.registry(vertx).forEach((kind, opts) -> {
        Lane lane = lanes.computeIfAbsent(kind, Lane::new);
        lane.registered = true;
        lane.concurrency = opts.getInteger("concurrency", 1);
        lane.delivery = new DeliveryOptions().setSendTimeout(opts.getLong("timeoutMs", 60_000L));
      });
    }
    lanes.values().forEach(lane -> {
      if (!lane.registered) {
        return;
      }
      lane.dispatchReady();
      int room = lane.wanted(cfg.claimBatch()) - lane.held();
      // claim when at least half a batch is missing; up to CLAIMS_IN_FLIGHT claims at once (SKIP
      // LOCKED keeps them apart), so one claim's round trip overlaps the next
      while (lane.claimsOut < CLAIMS_IN_FLIGHT && room >= Math.max(1, Math.min(cfg.claimBatch(), lane.concurrency) / 2)) {
        int ask = Math.min(cfg.claimBatch(), room);
        room -= ask;
        claim(lane, ask);
      }
    });
  }

  private void claim(Lane lane, int ask) {
    lane.asked += ask;
    lane.claimsOut++;
    long t0 = System.nanoTime();
    store.claim(lane.kind, ask, cfg.leaseMs()).onComplete(ar -> {
      lane.asked -= ask;
      lane.claimsOut--;
      if (ar.failed()) {
        LOG.warn("claiming {} jobs failed: {}", lane.kind, ar.cause().getMessage());
        drainedIfIdle();
        return;
      }
      lane.claimed(System.nanoTime() - t0);
      ar.result().forEach(c -> running.put(c.id(), c));
      lane.queue.addAll(ar.result());
      if (stopping) {
        drainedIfIdle(); // stop() releases everything in running once the last claim is answered
        return;
      }
      lane.dispatchReady();
      if (ar.result().size() == ask) {
        pumpSoon(); // there may be more
      }
    });
  }

  /**
   * One job kind's claims and runs. It holds the jobs running at handlers, the claimed ones
   * waiting for a free slot, and those asked for by claims not answered yet; it wants to hold the
   * handlers' concurrency plus what they finish during two claim round trips (at least one
   * claim batch, or the concurrency when that is smaller; at most two batches), so quick
   * handlers never wait for a claim and slow ones do not hoard jobs that another node could run.
   */
  private final class Lane {
    final String kind;
    final java.util.ArrayDeque<JobStore.Claimed> queue = new java.util.ArrayDeque<>();
    boolean registered;
    int concurrency = 1;
    DeliveryOptions delivery = new DeliveryOptions();
    int inFlight;
    int asked;
    int claimsOut;
    /** Finishes since {@link #sinceNanos}; their rate and the claims' round trip, smoothed. */
    long finished;
    long sinceNanos = System.nanoTime();
    double perMs;
    double rttMs;

    Lane(String kind) {
      this.kind = kind;
    }

    int held() {
      return inFlight + queue.size() + asked;
    }

    int wanted(int claimBatch) {
      int least = Math.min(claimBatch, concurrency);
      int ahead = (int) Math.ceil(2 * perMs * rttMs);
      return concurrency + Math.max(least, Math.min(ahead, 2 * claimBatch));
    }

    void claimed(long rttNanos) {
      long now = System.nanoTime();
      double elapsedMs = (now - sinceNanos) / 1e6;
      if (elapsedMs > 0) {
        perMs = 0.7 * perMs + 0.3 * (finished / elapsedMs);
      }
      finished = 0;
      sinceNanos = now;
      rttMs = rttMs == 0 ? rttNanos / 1e6 : 0.7 * rttMs + 0.3 * (rttNanos / 1e6);
    }

    void dispatchReady() {
      while (inFlight < concurrency && !queue.isEmpty()) {
        dispatch(this, queue.poll());
      }
    }
  }

  private void dispatch(Lane lane, JobStore.Claimed c) {
    lane.inFlight++;
    vertx.eventBus().<JsonObject>request(Addresses.JOB_HANDLER_PREFIX + c.kind(), c.job(), lane.delivery)
        .onComplete(ar -> outcome(lane, c, ar));
  }

  private void outcome(Lane lane, JobStore.Claimed c, AsyncResult<Message<JsonObject>> ar) {
    if (running.remove(c.id()) == null) {
      return; // released at stop: its lease is gone, and a late write would be refused anyway
    }
    lane.inFlight--;
    lane.finished++;
    if (c.job().getValue("batch") instanceof String batch) {
      byBatch.merge(batch, 1, Integer::sum);
    }
    if (ar.succeeded()) {
      JsonObject body = ar.result().body() == null ? new JsonObject() : ar.result().body();
      if (body.size() == 1 && body.getValue("snooze") instanceof Number ms) {
        later.add(new JobStore.Outcome(c.id(), c.attempt(), null, null, Math.max(0, ms.longValue())));
      } else if (body.size() == 1 && body.getValue("cancel") instanceof String) {
        cancelled.add(new JobStore.Outcome(c.id(), c.attempt(), body, null, 0));
      } else {
        completed.add(new JobStore.Outcome(c.id(), c.attempt(), body, null, 0));
      }
    } else {
      failed.add(new JobStore.Outcome(c.id(), c.attempt(), null, error(c, ar.cause()), backoffMs(c.attempt())));
    }
    drainedIfIdle();
    flushSoon();
    pumpSoon();
  }

  /** While stopping: completes the drain once no job runs at a handler and no claim is out. */
  private void drainedIfIdle() {
    if (drained != null && busy() == 0) {
      drained.tryComplete();
    }
  }

  /** Jobs running at handlers plus claims not answered yet: stopping waits for both. */
  private int busy() {
    int total = 0;
    for (Lane lane : lanes.values()) {
      total += lane.inFlight + lane.claimsOut;
    }
    return total;
  }

  private static JsonObject error(JobStore.Claimed c, Throwable t) {
    String kind = "error";
    if (t instanceof ReplyException re) {
      kind = re.failureType() == ReplyFailure.TIMEOUT ? "timeout"
          : re.failureType() == ReplyFailure.NO_HANDLERS ? "no-handler" : "error";
    }
    return new JsonObject().put("at", Instant.now().toString()).put("attempt", c.attempt()).put("kind", kind)
        .put("message", t.getMessage());
  }

  private long backoffMs(int attempt) {
    return Backoff.delayMs(cfg.backoffBaseMs(), cfg.backoffMaxMs(), attempt);
  }

  private void flushSoon() {
    if (completed.size() + failed.size() + later.size() + cancelled.size() >= FLUSH_AT) {
      flush();
    } else if (flushTimer < 0) {
      flushTimer = vertx.setTimer(cfg.flushMs(), id -> {
        flushTimer = -1;
        flush();
      });
    }
  }

  /**
   * Writes the buffered outcomes, one statement per kind of outcome, then publishes an
   * {@code attempts} event on {@code fanout.events} (batch waiters count it down). A failed write
   * leaves the jobs to run again once their leases expire.
   */
  private Future<?> flush() {
    List<JobStore.Outcome> c = completed;
    List<JobStore.Outcome> f = failed;
    List<JobStore.Outcome> l = later;
    List<JobStore.Outcome> x = cancelled;
    Map<String, Integer> batches = byBatch;
    completed = new ArrayList<>();
    failed = new ArrayList<>();
    later = new ArrayList<>();
    cancelled = new ArrayList<>();
    byBatch = new HashMap<>();
    return Future.join(store.complete(c), store.fail(f), store.reschedule(l), store.cancelRunning(x))
        .onFailure(e -> LOG.warn("writing job outcomes failed ({}); their leases will expire and they will run again",
            e.getMessage()))
        .onComplete(ar -> {
          if (!batches.isEmpty()) {
            vertx.eventBus().publish(Addresses.EVENTS, new JsonObject().put("type", "attempts")
                .put("completed", c.size()).put("failed", f.size()).put("snoozed", l.size()).put("cancelled", x.size())
                .put("batches", new JsonObject(new HashMap<String, Object>(batches))));
          }
        });
  }

  private void renew() {
    if (!running.isEmpty()) {
      store.renew(new ArrayList<>(running.values()), cfg.leaseMs()).onFailure(e -> LOG.warn("lease renewal failed: {}", e.getMessage()));
    }
  }

  private void rescue() {
    store.rescue()
        .onSuccess(n -> {
          if (n > 0) {
            LOG.info("rescued {} job(s) whose lease expired", n);
            pumpSoon();
          }
        })
        .onFailure(e -> LOG.warn("rescue failed: {}", e.getMessage()));
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    timers.forEach(vertx::cancelTimer);
    drained = Promise.promise();
    if (busy() == 0) {
      drained.tryComplete();
    }
    long grace = vertx.setTimer(Math.max(1, cfg.drainMs()), id -> drained.tryComplete());
    return drained.future()
        .compose(v -> {
          vertx.cancelTimer(grace);
          List<JobStore.Outcome> release = new ArrayList<>();
          running.values().forEach(c -> release.add(new JobStore.Outcome(c.id(), c.attempt(), null, null, 0)));
          if (!release.isEmpty()) {
            LOG.info("releasing {} claimed job(s) not finished after {} ms", release.size(), cfg.drainMs());
          }
          running.clear();
          lanes.values().forEach(lane -> lane.queue.clear());
          return Future.join(flush(), store.reschedule(release));
        })
        .eventually(() -> subscriber.close())
        .eventually(() -> pool.close());
  }
}
