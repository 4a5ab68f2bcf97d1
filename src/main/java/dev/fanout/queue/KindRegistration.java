package dev.fanout.queue;

import dev.fanout.api.JobContext;
import dev.fanout.api.JobHandler;
import dev.fanout.api.JobOptions;
import dev.fanout.api.JobReply;
import dev.fanout.api.Registration;
import dev.fanout.bus.Addresses;
import dev.fanout.bus.BusFailure;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One handler registered for a kind on this node ({@link JobHandlers#register}). Its consumer of
 * {@code fanout.job.<kind>} is registered on the caller's context, so the handler runs where it
 * was registered (a verticle's event loop), or on {@link BlockingThreads} of its own. Its life
 * is a small verticle, deployed from the caller's context: called from a verticle it is that
 * verticle's child, which Vert.x undeploys (this drain included) before the verticle's own stop,
 * so a verticle's registrations go with it. The drain takes the registry entry out (the worker
 * stops claiming for it and gives back what it claimed and has not started), answers a job that
 * still arrives with a snooze (no attempt used), and completes once every attempt it runs has
 * ended, reached its deadline, or been given up by the stopping worker. When every registration
 * of its kind on this node is one of these, the worker hands attempts to {@link #invoke} on the
 * same context instead of sending them ({@link LocalDispatch}): the handler sees the same job,
 * deadline and context either way, and the drain treats both alike.
 */
final class KindRegistration implements Registration {
  private final Vertx vertx;
  private final String kind;
  private final JobOptions options;
  private final JobHandler handler;
  private final AtomicLong attempts = new AtomicLong();
  /** Attempts at the handler: the job's id and deadline (epoch ms), by a number of their own. */
  private final Map<Long, long[]> running = new ConcurrentHashMap<>();
  private final Promise<Void> drained = Promise.promise();
  private final AtomicBoolean undeploying = new AtomicBoolean();
  private volatile boolean draining;
  private final BlockingThreads threads;
  private MessageConsumer<JsonObject> consumer;
  private Context context;
  private volatile boolean gone;
  private String deployment;

  private KindRegistration(Vertx vertx, String kind, JobOptions options, JobHandler handler,
      BlockingThreads.Kind blocking) {
    this.vertx = vertx;
    this.kind = kind;
    this.options = options;
    this.handler = handler;
    // made before the consumer, so no job reaches a blocking handler on an event loop; made on the
    // caller's context, Vert.x closes them after the caller's stop, which comes after the drain
    this.threads = options.blocking() ? BlockingThreads.create(vertx, kind, options, blocking) : null;
  }

  static Future<KindRegistration> start(Vertx vertx, String kind, JobOptions options, JobHandler handler) {
    return start(vertx, kind, options, handler, BlockingThreads.DEFAULT);
  }

  /** A registration whose blocking handler runs on {@code blocking} threads (the bench compares them). */
  static Future<KindRegistration> start(Vertx vertx, String kind, JobOptions options, JobHandler handler,
      BlockingThreads.Kind blocking) {
    KindRegistration r = new KindRegistration(vertx, kind, options, handler, blocking);
    r.context = vertx.getOrCreateContext(); // the consumer's, where the handler runs
    r.consumer = vertx.eventBus().consumer(Addresses.JOB_HANDLER_PREFIX + kind, r::receive);
    return r.consumer.completion()
        .compose(v -> vertx.deployVerticle(r.new Life()))
        .map(id -> {
          r.deployment = id;
          return r;
        })
        .onFailure(e -> r.consumer.unregister());
  }

  @Override
  public String kind() {
    return kind;
  }

  @Override
  public Future<Void> unregister() {
    if (undeploying.compareAndSet(false, true)) {
      // once it is gone (its stop is the drain); fails only when undeployed with its parent already
      return vertx.undeploy(deployment).transform(ar -> drained.future());
    }
    return drained.future();
  }

  private void receive(Message<JsonObject> msg) {
    if (draining) {
      JobReply.snooze(Duration.ZERO).replyTo(msg); // arrived after the drain began: runs again, elsewhere or later
      return;
    }
    String header = msg.headers().get(JobHandlers.DEADLINE_HEADER);
    long deadline = header != null ? Long.parseLong(header) : System.currentTimeMillis() + options.timeout().toMillis();
    run(msg.body(), deadline, ar -> {
      if (ar.succeeded()) {
        ar.result().replyTo(msg);
      } else {
        BusFailure.reply(msg, ar.cause());
      }
    });
  }

  /**
   * Runs an attempt the worker hands over without the bus ({@link LocalDispatch}), on this
   * registration's context: as {@link #receive} runs one, and {@code done} gets the reply the
   * worker would have decoded from the bus's (a failure is a retry with the bus failure's text).
   */
  void invoke(JsonObject job, long deadline, Consumer<JobReply> done) {
    if (draining) {
      done.accept(JobReply.snooze(Duration.ZERO));
      return;
    }
    run(job, deadline, ar -> done.accept(ar.succeeded() ? asOnTheBus(ar.result())
        : JobReply.retry(BusFailure.of(ar.cause()).getMessage())));
  }

  /** A reply as it reads once through the bus: a result that is a snooze's or a cancel's JSON is one. */
  private static JobReply asOnTheBus(JobReply reply) {
    return reply.kind() == JobReply.Kind.COMPLETE && reply.result().size() == 1 ? JobReply.fromJson(reply.result())
        : reply;
  }

  /** Calls the handler with {@code json} due by {@code deadline}; {@code done} gets its reply, then it has ended. */
  private void run(JsonObject json, long deadline, Handler<AsyncResult<JobReply>> done) {
    long n = attempts.incrementAndGet();
    Object id = json == null ? null : json.getValue("id");
    running.put(n, new long[] {id instanceof Number num ? num.longValue() : -1, deadline});
    JobContext job = new JobContext(json, Instant.ofEpochMilli(deadline));
    Future<JobReply> reply;
    try {
      reply = threads != null ? threads.call(() -> handler.handle(job)) : handler.handle(job);
    } catch (RuntimeException e) {
      reply = Future.failedFuture(e);
    }
    (reply == null ? Future.<JobReply>failedFuture("the handler returned no future") : reply).onComplete(ar -> {
      done.handle(ar.succeeded() && ar.result() == null ? Future.succeededFuture(JobReply.complete(null)) : ar);
      running.remove(n);
      drainedIfIdle();
    });
  }

  /** Where the handler runs: the context it was registered on. */
  Context context() {
    return context;
  }

  /** Whether its drain is over: it takes no more attempts. */
  boolean gone() {
    return gone;
  }

  private void drainedIfIdle() {
    if (draining && running.isEmpty()) {
      drained.tryComplete();
    }
  }

  /** The attempts of these jobs are given up by the worker: a drain no longer waits for them. */
  private void abandoned(JsonArray ids) {
    Set<Long> gone = new HashSet<>();
    ids.forEach(id -> gone.add(((Number) id).longValue()));
    running.values().removeIf(a -> gone.contains(a[0]));
    drainedIfIdle();
  }

  private Future<Void> drain(String entry) {
    draining = true; // first: whoever sees the entry gone sees this registration draining
    JobHandlers.remove(vertx, entry);
    long last = running.values().stream().mapToLong(a -> a[1]).max().orElse(0);
    long timer = vertx.setTimer(Math.max(1, last - System.currentTimeMillis()), t -> drained.tryComplete());
    drainedIfIdle();
    return drained.future().onComplete(ar -> {
      gone = true;
      vertx.cancelTimer(timer);
    }).eventually(consumer::unregister);
  }

  /** The registration's life: deployed from the caller's context, undeployed with it. */
  private final class Life extends VerticleBase {
    private String entry;
    private MessageConsumer<JsonArray> giveUps;

    @Override
    public Future<?> start() {
      giveUps = vertx.eventBus().localConsumer(JobHandlers.ABANDONED, m -> abandoned(m.body()));
      return giveUps.completion().onSuccess(v ->
          entry = JobHandlers.put(vertx, kind, options.concurrency(), options.timeout().toMillis(),
              KindRegistration.this));
    }

    @Override
    public Future<?> stop() {
      undeploying.set(true);
      return drain(entry).eventually(giveUps::unregister)
          .eventually(() -> threads == null ? Future.succeededFuture() : threads.close());
    }
  }
}
