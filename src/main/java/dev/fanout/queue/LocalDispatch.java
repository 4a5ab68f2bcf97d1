package dev.fanout.queue;

import dev.fanout.api.JobReply;
import dev.fanout.bus.Addresses;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The worker's attempts of the kinds whose every registration on this node is a handler in this
 * JVM ({@link Lane#locals}): each is handed to its {@link KindRegistration} directly, without an
 * event-bus request, its reply and its timer. The attempts started in one event-loop turn go to
 * each registration's context as one task; the attempts that ended come back to the worker's
 * context in batches (one task for all that ended meanwhile). One timer, at the earliest deadline,
 * watches them all: an attempt past its deadline ends as a bus request's timeout does, and its
 * reply, should it come later, is ignored. Used on the worker's event loop; {@link Attempt}s end
 * on any thread.
 */
final class LocalDispatch {
  /** Where an ended attempt goes: the handler's reply, or the failure the bus would have given. */
  @FunctionalInterface
  interface Ended {
    void ended(Lane lane, JobStore.Claimed c, JobReply reply, ReplyException failure);
  }

  private final Vertx vertx;
  private final Context context;
  private final Ended ended;
  /** Attempts started this turn, by registration; sent once the turn is over. */
  private final Map<KindRegistration, List<Attempt>> pending = new IdentityHashMap<>();
  private final Set<Attempt> inFlight = Collections.newSetFromMap(new IdentityHashMap<>());
  private final Queue<Attempt> done = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean collecting = new AtomicBoolean();
  private long timer = -1;
  private long timerAt = Long.MAX_VALUE;

  /** Dispatches on the worker's {@code context}, and hands each ended attempt to {@code ended} there. */
  LocalDispatch(Vertx vertx, Context context, Ended ended) {
    this.vertx = vertx;
    this.context = context;
    this.ended = ended;
  }

  /** Starts attempt {@code c} of {@code lane} at one of its registrations, due by {@code deadline}. */
  void send(Lane lane, JobStore.Claimed c, long deadline, long timeoutMs) {
    Attempt a = new Attempt(lane, c, deadline, timeoutMs);
    inFlight.add(a);
    KindRegistration target = lane.pick();
    if (target == null) {
      // every registration finished its drain since the registry was read: as the bus says it
      a.failure = new ReplyException(ReplyFailure.NO_HANDLERS,
          "No handlers for address " + Addresses.JOB_HANDLER_PREFIX + c.kind());
      finished(a);
      return;
    }
    if (pending.isEmpty()) {
      context.runOnContext(v -> flush());
    }
    pending.computeIfAbsent(target, t -> new ArrayList<>()).add(a);
    watch(deadline);
  }

  private void flush() {
    pending.forEach((target, batch) -> target.context().runOnContext(v -> {
      for (Attempt a : batch) {
        target.invoke(a.c.job(), a.deadline, a);
      }
    }));
    pending.clear();
  }

  /** Called on any thread: the worker collects what ended in one task. */
  private void finished(Attempt a) {
    done.add(a);
    if (collecting.compareAndSet(false, true)) {
      context.runOnContext(v -> collect());
    }
  }

  private void collect() {
    collecting.set(false);
    for (Attempt a = done.poll(); a != null; a = done.poll()) {
      if (inFlight.remove(a)) {
        ended.ended(a.lane, a.c, a.reply, a.failure);
      }
    }
  }

  /** Makes the timer fire by {@code deadline}. */
  private void watch(long deadline) {
    if (deadline < timerAt) {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
      }
      timerAt = deadline;
      timer = vertx.setTimer(Math.max(1, deadline - System.currentTimeMillis()), id -> expire());
    }
  }

  /** Ends the attempts past their deadline as timed out, and watches the next deadline. */
  private void expire() {
    timer = -1;
    timerAt = Long.MAX_VALUE;
    long now = System.currentTimeMillis();
    List<Attempt> late = new ArrayList<>();
    long next = Long.MAX_VALUE;
    for (Attempt a : inFlight) {
      if (a.deadline <= now) {
        late.add(a);
      } else {
        next = Math.min(next, a.deadline);
      }
    }
    for (Attempt a : late) {
      inFlight.remove(a);
      // the text of the bus's own timeout, so an error reads the same whichever way the job went
      ended.ended(a.lane, a.c, null, new ReplyException(ReplyFailure.TIMEOUT, "Timed out after waiting "
          + a.timeoutMs + "(ms) for a reply. address: (in this JVM), repliedAddress: "
          + Addresses.JOB_HANDLER_PREFIX + a.c.kind()));
    }
    if (next != Long.MAX_VALUE) {
      watch(next);
    }
  }

  /** Stops watching deadlines: the stopping worker has given up the attempts still out. */
  void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    timer = -1;
    timerAt = Long.MAX_VALUE;
    inFlight.clear();
  }

  /** One attempt at a registration; its reply may come on any thread. */
  private final class Attempt implements Consumer<JobReply> {
    final Lane lane;
    final JobStore.Claimed c;
    final long deadline;
    final long timeoutMs;
    JobReply reply;
    ReplyException failure;

    Attempt(Lane lane, JobStore.Claimed c, long deadline, long timeoutMs) {
      this.lane = lane;
      this.c = c;
      this.deadline = deadline;
      this.timeoutMs = timeoutMs;
    }

    @Override
    public void accept(JobReply r) {
      reply = r;
      finished(this);
    }
  }
}
