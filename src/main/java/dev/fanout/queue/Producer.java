package dev.fanout.queue;

import dev.fanout.api.JobReply;
import dev.fanout.bus.Addresses;
import dev.fanout.cluster.Membership;
import dev.fanout.config.QueueConfig;
import dev.fanout.metrics.Meters;
import dev.fanout.metrics.QueueMeters;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue worker's claims and runs: for each kind registered on this node ({@link JobHandlers})
 * a {@link Lane} claims runnable jobs in batches (FOR UPDATE SKIP LOCKED), keeps at most the kind's
 * concurrency in flight, and dispatches each to {@code fanout.job.<kind>} with its timeout — or,
 * when every registration of the kind is a handler in this JVM, to those directly
 * ({@link LocalDispatch}); the handler's reply is decoded once into a {@link JobReply} and handed
 * to the {@link Completer}.
 * Wake-ups ({@link #wake}) are coalesced into one pump per event-loop turn. Each claim records
 * this node ({@link Membership#nodeId}) on its jobs, and each attempt is sent to a handler on this
 * node only (in a cluster, another node's consumer of the address would run a job this node holds,
 * outside its concurrency and its membership: its jobs are taken back when this node leaves).
 * Used on the worker's event loop only.
 */
final class Producer {
  private static final Logger LOG = LoggerFactory.getLogger(Producer.class);
  private static final int CLAIMS_IN_FLIGHT = 3;

  private final Vertx vertx;
  private final Context context;
  private final JobStore store;
  private final Completer completer;
  private final QueueConfig cfg;
  /** This node's id, recorded on the jobs it claims. */
  private final String node;
  private final QueueMeters meters;
  private final LocalDispatch local;
  private final Map<String, Lane> lanes = new HashMap<>();
  /**
   * Claimed attempts not finished: in flight at a handler, or waiting in their {@link Lane}; their
   * leases are renewed. By identity: each claim answers attempts of its own (after an outage
   * longer than the lease this node may claim a job again while its previous attempt still runs
   * here), and each gives its slot back on its own.
   */
  private final Map<JobStore.Claimed, JobStore.Claimed> running = new IdentityHashMap<>();
  private long registryVersion = -1;
  private boolean pumpQueued;
  private boolean stopping;
  /** While stopping: completed once no job runs at a handler and no claim is out. */
  private Promise<Void> drained;
  /** While stopping, after the drain: completed when the last claim out is answered. */
  private Promise<Void> claimsAnswered;

  /** Claims through {@code store} (on {@code context}) and hands outcomes to {@code completer}. */
  Producer(Vertx vertx, Context context, JobStore store, Completer completer, QueueConfig cfg) {
    this.vertx = vertx;
    this.context = context;
    this.store = store;
    this.completer = completer;
    this.cfg = cfg;
    this.node = Membership.nodeId(vertx);
    this.meters = Meters.of(vertx).queue();
    this.local = new LocalDispatch(vertx, context, this::ended);
  }

  /** The attempts this node holds (read on the event loop; the caller copies what it keeps). */
  Collection<JobStore.Claimed> running() {
    return running.values();
  }

  /** Coalesces wake-ups (notifications, freed slots, the poll) into one pump per event-loop turn. */
  void wake() {
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
    registryRead();
    lanes.values().forEach(lane -> {
      if (!lane.registered) {
        return;
      }
      lane.dispatchReady();
      int room = lane.wanted(cfg.claimBatch()) - lane.held();
      // claim when at least half a batch is missing; up to CLAIMS_IN_FLIGHT claims at once (SKIP
      // LOCKED keeps them apart), so one claim's round trip overlaps the next
      int least = Math.max(1, Math.min(cfg.claimBatch(), lane.concurrency) / 2);
      while (lane.claimsOut < CLAIMS_IN_FLIGHT && room >= least) {
        int ask = Math.min(cfg.claimBatch(), room);
        room -= ask;
        claim(lane, ask);
      }
    });
  }

  /** Re-reads the registry if it changed (it copies its values on every read: only then). */
  private void registryRead() {
    long version = JobHandlers.VERSION.get();
    if (version != registryVersion) {
      registryVersion = version;
      lanesFrom(JobHandlers.kinds(vertx), JobHandlers.locals(vertx));
    }
  }

  private void lanesFrom(Map<String, JsonObject> registry, Map<String, List<KindRegistration>> locals) {
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
      lane.timeoutMs = opts.getLong("timeoutMs", 60_000L);
      lane.locals = locals.get(kind);
    });
  }

  private void claim(Lane lane, int ask) {
    lane.asked += ask;
    lane.claimsOut++;
    long t0 = System.nanoTime();
    store.claim(lane.kind, ask, cfg.leaseMs(), node).onComplete(ar -> {
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
      meters.claimed(System.nanoTime() - t0);
      ar.result().forEach(c -> meters.started(c.waitedNanos()));
      if (LOG.isDebugEnabled()) {
        LOG.debug("claimed {} of {} {} job(s) asked in {} ms; {} queued here", ar.result().size(), ask, lane.kind,
            (System.nanoTime() - t0) / 1_000_000, lane.queue.size() + ar.result().size());
      }
      ar.result().forEach(c -> running.put(c, c));
      lane.queue.addAll(ar.result());
      if (!lane.registered) {
        release(lane, ar.result()); // unregistered while this claim was out
      }
      if (stopping) {
        drainedIfIdle(); // the stop releases everything in running once the last claim is answered
        return;
      }
      lane.dispatchReady();
      if (ar.result().size() == ask) {
        wake(); // there may be more
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
    claimed.forEach(running::remove);
    LOG.info("releasing {} claimed job(s) of kind {}, no longer run here", claimed.size(), lane.kind);
    completer.release(claimed).onFailure(e ->
        LOG.warn("releasing jobs of kind {} failed ({}); their leases will expire", lane.kind, e.getMessage()));
  }

  private void dispatch(Lane lane, JobStore.Claimed c) {
    lane.inFlight++;
    // the deadline goes with the job, so any handler (a bridge client too) knows when its reply is too late
    long deadline = System.currentTimeMillis() + lane.timeoutMs;
    if (LOG.isDebugEnabled()) {
      LOG.debug("job {} ({}) attempt {} to its handler{}, {} of {} running", c.id(), c.kind(), c.attempt(),
          lane.locals != null ? " in this JVM" : "", lane.inFlight, lane.concurrency);
    }
    if (lane.locals != null) {
      local.send(lane, c, deadline, lane.timeoutMs);
      return;
    }
    DeliveryOptions delivery = new DeliveryOptions().setSendTimeout(lane.timeoutMs).setLocalOnly(true)
        .addHeader(JobHandlers.DEADLINE_HEADER, Long.toString(deadline));
    vertx.eventBus().<JsonObject>request(Addresses.JOB_HANDLER_PREFIX + c.kind(), c.job(), delivery)
        .onComplete(ar -> ended(lane, c, ar.succeeded() ? JobReply.fromJson(ar.result().body()) : null,
            ar.failed() ? ar.cause() : null));
  }

  /** Attempt {@code c} ended with {@code reply}, or without one: {@code failure}. */
  private void ended(Lane lane, JobStore.Claimed c, JobReply reply, Throwable failure) {
    if (running.remove(c) == null) {
      return; // released at stop: its lease is gone, and a late write would be refused anyway
    }
    lane.inFlight--;
    lane.finished++;
    if (failure == null) {
      completer.record(c, reply);
    } else if (failure instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS
        && unregistered(lane)) {
      // its handler went between the claim and the send (an unregister): not an attempt
      completer.release(List.of(c)).onFailure(e ->
          LOG.warn("releasing a job of kind {} failed ({}); its lease will expire", lane.kind, e.getMessage()));
    } else if (failure instanceof ReplyException re
        && (re.failureType() == ReplyFailure.TIMEOUT || re.failureType() == ReplyFailure.NO_HANDLERS)) {
      // no reply from a handler: the bus's own failure, recorded as such
      completer.failed(c, re.failureType() == ReplyFailure.TIMEOUT ? "timeout" : "no-handler", re.getMessage());
    } else {
      completer.record(c, JobReply.retry(failure.getMessage()));
    }
    drainedIfIdle();
    wake();
  }

  private boolean unregistered(Lane lane) {
    registryRead();
    return !lane.registered;
  }

  /** While stopping: completes the drain once no job runs at a handler and no claim is out. */
  private void drainedIfIdle() {
    if (drained != null && busy() == 0) {
      drained.tryComplete();
    }
  }

  /** Jobs running at handlers plus claims not answered yet: stopping waits for both. */
  private int busy() {
    return lanes.values().stream().mapToInt(lane -> lane.inFlight + lane.claimsOut).sum();
  }

  private int claimsOut() {
    return lanes.values().stream().mapToInt(lane -> lane.claimsOut).sum();
  }

  /**
   * Stops claiming, waits up to {@code graceMs} for the jobs running at handlers, then up to
   * {@code claimWaitMs} for claims still out (a claim answered after the release would leave its
   * jobs leased, and an expired lease uses the attempt). Completes with the attempts not finished,
   * which the caller releases; from then on their outcomes are not recorded.
   */
  Future<List<JobStore.Claimed>> drain(long graceMs, long claimWaitMs) {
    stopping = true;
    drained = Promise.promise();
    if (busy() == 0) {
      drained.tryComplete();
    }
    long grace = vertx.setTimer(Math.max(1, graceMs), id -> drained.tryComplete());
    return drained.future()
        .compose(v -> {
          vertx.cancelTimer(grace);
          return claimsAnswered(claimWaitMs);
        })
        .map(v -> {
          List<JobStore.Claimed> release = new ArrayList<>(running.values());
          running.clear();
          local.close();
          lanes.values().forEach(lane -> lane.queue.clear());
          return release;
        });
  }

  private Future<Void> claimsAnswered(long waitMs) {
    claimsAnswered = Promise.promise();
    if (claimsOut() == 0) {
      claimsAnswered.tryComplete();
    }
    Promise<Void> p = claimsAnswered;
    long t = vertx.setTimer(waitMs, id -> p.tryComplete());
    return p.future().onComplete(ar -> vertx.cancelTimer(t));
  }
}
