package dev.fanout.queue;

import dev.fanout.bus.Addresses;
import dev.fanout.config.FanoutConfig;
import dev.fanout.config.QueueConfig;
import dev.fanout.retry.Backoff;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
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
  private static final long CLAIM_WAIT_MS = 5_000;

  private final PgConnectOptions options;
  private final int poolSize;
  private Pool pool;
  private Pool durablePool;
  private QueueConfig cfg;
  private JobStore store;
  private OutcomeBuffer outcomes;
  private PgSubscriber subscriber;
  private MessageConsumer<Object> kindsChanged;
  private final Map<String, Lane> lanes = new HashMap<>();
  private long registryVersion = -1;
  /**
   * Claimed attempts not finished: in flight at a handler, or waiting in their {@link Lane}; their
   * leases are renewed. Keyed by job and attempt: after an outage longer than the lease this node
   * may claim a job again while its previous attempt still runs here, and each attempt gives its
   * slot back on its own.
   */
  private final Map<Attempt, JobStore.Claimed> running = new HashMap<>();
  private final List<Long> timers = new ArrayList<>();
  private long flushTimer = -1;
  private boolean pumpQueued;
  private boolean stopping;
  private Promise<Void> drained;
  /** While stopping, after the drain: completed when the last claim out is answered. */
  private Promise<Void> claimsAnswered;

  /** One attempt of one job: what a running entry is keyed by. */
  private record Attempt(long id, int attempt) {
    static Attempt of(JobStore.Claimed c) {
      return new Attempt(c.id(), c.attempt());
    }
  }

  /**
   * A worker on the database at {@code options}, with pools of its own: {@code poolSize}
   * connections for claims and lease renewals, and up to four for outcomes.
   *
   * <p>Claims and renewals commit asynchronously ({@code synchronous_commit = off}): losing the
   * last moments of them in a crash of PostgreSQL only means a job is claimed again (a lost claim
   * leaves it runnable, a lost renewal shortens a lease). Outcomes — completed, failed, snoozed,
   * cancelled, released — commit durably ({@code synchronous_commit = on}): PostgreSQL makes a
   * commit visible only once it is on disk, so a completion that anyone has read is never taken
   * back by a crash. They are written in batches, so this costs one WAL flush per batch, and
   * concurrent batches share flushes (group commit).
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
    // fanout's connection settings; one statement per connection matters most here: pipelining
    // queued claims behind outcome writes on one backend, on separate ones they run in parallel
    pool = pool("fanout-worker", poolSize, props);
    props.put("synchronous_commit", "on");
    durablePool = pool("fanout-worker-outcomes", Math.min(4, poolSize), props);
    store = new JobStore(pool, cfg.maxSnoozeMs());
    outcomes = new OutcomeBuffer(vertx, new JobStore(durablePool, cfg.maxSnoozeMs()));
    subscriber = PgSubscriber.subscriber(vertx, new PgConnectOptions(options)).reconnectPolicy(retries -> 1000L);
    // Started only once LISTEN is in effect: connect() completes before PostgreSQL has run the
    // LISTEN, and a job enqueued in between would wait for the poll. Each (re)subscription
    // pumps, so jobs enqueued while the connection was down are claimed at once.
    Promise<Void> listening = Promise.promise();
    subscriber.channel("fanout_jobs")
        .subscribeHandler(v -> {
          listening.tryComplete();
          pumpSoon();
        })
        .handler(kind -> pumpSoon());
    kindsChanged = vertx.eventBus().localConsumer(JobHandlers.CHANGED, msg -> pumpSoon());
    return subscriber.connect()
        .compose(v -> listening.future().timeout(cfg.pollMs() + 5_000, java.util.concurrent.TimeUnit.MILLISECONDS))
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

  private Pool pool(String name, int size, Map<String, String> props) {
    return io.vertx.pgclient.PgBuilder.pool()
        .with(new io.vertx.sqlclient.PoolOptions().setMaxSize(size).setName(name))
        .connectingTo(dev.fanout.store.Database.tuned(new PgConnectOptions(options).setProperties(new HashMap<>(props))))
        .using(vertx)
        .build();
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
      Map<String, JsonObject> registry = new HashMap<>(JobHandlers.registry(vertx));
      lanes.values().forEach(lane -> {
        if (lane.registered && !registry.containsKey(lane.kind)) {
          lane.registered = false;
          release(lane, new ArrayList<>(lane.queue)); // a kind gone from here: its waiting jobs go back at once
        }
      });
      registry.forEach((kind, opts) -> {
        Lane lane = lanes.computeIfAbsent(kind, k -> new Lane(k, this::dispatch));
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
      if (claimsAnswered != null && claimsOut() == 0) {
        Promise<Void> answered = claimsAnswered;
        context.runOnContext(v -> answered.tryComplete()); // once this claim's jobs are in running, below
      }
      if (ar.failed()) {
        LOG.warn("claiming {} jobs failed: {}", lane.kind, ar.cause().getMessage());
        drainedIfIdle();
        return;
      }
      lane.claimed(System.nanoTime() - t0);
      ar.result().forEach(c -> running.put(Attempt.of(c), c));
      lane.queue.addAll(ar.result());
      if (!lane.registered) {
        release(lane, ar.result()); // unregistered while this claim was out
      }
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
   * Gives claimed jobs of {@code lane} that no handler started back at once, without using an
   * attempt, so that any node can run them; when the write fails their leases expire instead.
   */
  private void release(Lane lane, List<JobStore.Claimed> claimed) {
    if (claimed.isEmpty()) {
      return;
    }
    lane.queue.removeAll(claimed);
    claimed.forEach(c -> running.remove(Attempt.of(c)));
    LOG.info("releasing {} claimed job(s) of kind {}, no longer run here", claimed.size(), lane.kind);
    outcomes.release(claimed).onFailure(e -> LOG.warn("releasing jobs of kind {} failed ({}); their leases will expire",
        lane.kind, e.getMessage()));
  }

  private void dispatch(Lane lane, JobStore.Claimed c) {
    lane.inFlight++;
    vertx.eventBus().<JsonObject>request(Addresses.JOB_HANDLER_PREFIX + c.kind(), c.job(), lane.delivery)
        .onComplete(ar -> outcome(lane, c, ar));
  }

  private void outcome(Lane lane, JobStore.Claimed c, AsyncResult<Message<JsonObject>> ar) {
    if (running.remove(Attempt.of(c)) == null) {
      return; // released at stop: its lease is gone, and a late write would be refused anyway
    }
    lane.inFlight--;
    lane.finished++;
    if (ar.succeeded()) {
      JsonObject body = ar.result().body() == null ? new JsonObject() : ar.result().body();
      if (body.size() == 1 && body.getValue("snooze") instanceof Number ms) {
        outcomes.snoozed(c, Math.max(0, ms.longValue()));
      } else if (body.size() == 1 && body.getValue("cancel") instanceof String) {
        outcomes.cancelled(c, body);
      } else {
        outcomes.completed(c, body);
      }
    } else {
      outcomes.failed(c, error(c, ar.cause()), backoffMs(c.attempt()));
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
    if (outcomes.size() >= FLUSH_AT) {
      outcomes.flush();
    } else if (flushTimer < 0) {
      flushTimer = vertx.setTimer(cfg.flushMs(), id -> {
        flushTimer = -1;
        outcomes.flush();
      });
    }
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

  /**
   * Completes once no claim is out (at most {@link #CLAIM_WAIT_MS} later): a claim answered after
   * the release below would leave its jobs leased, and an expired lease uses the attempt.
   */
  private Future<Void> claimsAnswered() {
    claimsAnswered = Promise.promise();
    if (claimsOut() == 0) {
      claimsAnswered.tryComplete();
    }
    Promise<Void> p = claimsAnswered;
    long t = vertx.setTimer(CLAIM_WAIT_MS, id -> p.tryComplete());
    return p.future().onComplete(ar -> vertx.cancelTimer(t));
  }

  private int claimsOut() {
    int n = 0;
    for (Lane lane : lanes.values()) {
      n += lane.claimsOut;
    }
    return n;
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    timers.forEach(vertx::cancelTimer);
    // for operators and tests: from here on this node claims nothing and waits for its running jobs
    vertx.eventBus().publish(Addresses.EVENTS, new JsonObject().put("type", "draining").put("running", running.size())
        .put("graceMs", cfg.drainMs()));
    drained = Promise.promise();
    if (busy() == 0) {
      drained.tryComplete();
    }
    long grace = vertx.setTimer(Math.max(1, cfg.drainMs()), id -> drained.tryComplete());
    return drained.future()
        .compose(v -> {
          vertx.cancelTimer(grace);
          return claimsAnswered();
        })
        .compose(v -> {
          List<JobStore.Claimed> release = new ArrayList<>(running.values());
          if (!release.isEmpty()) {
            LOG.info("releasing {} claimed job(s) not finished after {} ms", release.size(), cfg.drainMs());
          }
          running.clear();
          lanes.values().forEach(lane -> lane.queue.clear());
          return Future.join(outcomes.flush(), outcomes.release(release));
        })
        .eventually(() -> kindsChanged.unregister())
        .eventually(() -> subscriber.close())
        .eventually(() -> Future.join(pool.close(), durablePool.close()));
  }
}
