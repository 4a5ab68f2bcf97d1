package dev.fanout.queue;

import dev.fanout.api.JobHandler;
import dev.fanout.api.JobOptions;
import dev.fanout.api.JobReply;
import dev.fanout.api.Registration;
import dev.fanout.cluster.Membership;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The registry of the job kinds this node runs, and the ways into it. A kind is claimed by this
 * node's queue worker while at least one registration of it is in the registry: a handler
 * registered with {@link #register} (which {@code dev.fanout.api.Fanout.registerHandler} calls),
 * or an external one ({@link #registerExternal}: a consumer of {@code fanout.job.<kind>} that
 * lives elsewhere, such as a TCP bridge client). Registrations of one kind add up: the worker keeps
 * the sum of their concurrency in flight and gives each attempt the longest of their timeouts.
 *
 * <p>Each attempt is sent to {@code fanout.job.<kind>} with the header {@link #DEADLINE_HEADER}:
 * the epoch millisecond by which its reply must arrive. When every registration of a kind here is
 * a handler in this JVM, the worker calls them without the bus, with the same job and deadline.
 */
public final class JobHandlers {
  /** The delivery header carrying an attempt's deadline, in epoch milliseconds. */
  public static final String DEADLINE_HEADER = "fanout-deadline";
  static final String REGISTRY = "fanout.job.kinds";
  /** Bumped after every change of any registry in this JVM, so workers re-read theirs only then. */
  static final AtomicLong VERSION = new AtomicLong();
  /** Local address told of every change of this node's registry: the worker acts on it at once. */
  static final String CHANGED = "fanout.job.kinds.changed";
  /**
   * Local address the worker publishes the ids of the attempts it gave up at its stop to (a
   * JSON array): their outcome is not recorded any more, so a drain does not wait for them.
   */
  static final String ABANDONED = "fanout.job.abandoned";
  private static final AtomicLong ENTRIES = new AtomicLong();
  /**
   * The registrations behind the registries' local entries, by entry key (unique in the JVM): a
   * registry holds JSON copies, the worker calls these directly ({@link #locals}).
   */
  private static final Map<String, KindRegistration> LOCAL = new ConcurrentHashMap<>();

  private JobHandlers() {}

  /**
   * How a kind is run here.
   *
   * @param concurrency attempts of this kind in flight on this node at most
   * @param timeoutMs the limit of one attempt
   * @param blocking whether the handler blocks (it then runs on worker threads of its own)
   */
  public record Options(int concurrency, long timeoutMs, boolean blocking) {
    /** Non-blocking, 50 at a time, one minute per attempt. */
    public static Options defaults() {
      return new Options(50, 60_000, false);
    }

    JobOptions toJobOptions() {
      return JobOptions.defaults().concurrency(concurrency).timeout(Duration.ofMillis(timeoutMs)).blocking(blocking);
    }
  }

  /** A registry entry without a local handler ({@link #registerExternal}), until {@link #remove()}. */
  public interface External {
    /** The kind it makes this node claim. */
    String kind();

    /** Takes the entry out: the worker stops claiming the kind (unless another entry has it). */
    void remove();
  }

  /**
   * Registers {@code handler} for {@code kind} (the real path behind {@code Fanout.registerHandler}):
   * completes once the worker claims the kind for it. Called from a verticle, the registration
   * belongs to that verticle: undeploying it drains the registration first.
   */
  public static Future<Registration> register(Vertx vertx, String kind, JobOptions options, JobHandler handler) {
    return KindRegistration.start(vertx, kind, options, handler).map(r -> r);
  }

  /**
   * The same at the wire level: the handler gets the job's JSON and completes with a successful
   * reply's body ({@link JobReply#fromJson}); a failed future retries. For fanout's own tests.
   */
  public static Future<Registration> register(Vertx vertx, String kind, Options options,
      Function<JsonObject, Future<JsonObject>> handler) {
    return register(vertx, kind, options.toJobOptions(), job -> {
      Future<JsonObject> result = handler.apply(job.json());
      return result == null ? Future.failedFuture("the handler returned no future") : result.map(JobReply::fromJson);
    });
  }

  /**
   * Puts an entry for {@code kind} in this node's registry without a consumer here: for a handler
   * that consumes {@code fanout.job.<kind>} elsewhere (a TCP bridge client). The worker claims
   * the kind while the entry is in; remove it when that handler goes.
   */
  public static External registerExternal(Vertx vertx, String kind, Options options) {
    String key = put(vertx, kind, options.concurrency(), options.timeoutMs(), null);
    return new External() {
      @Override
      public String kind() {
        return kind;
      }

      @Override
      public void remove() {
        JobHandlers.remove(vertx, key);
      }
    };
  }

  /** Adds an entry for {@code local}, or an external one when null; completes with its key. */
  static String put(Vertx vertx, String kind, int concurrency, long timeoutMs, KindRegistration local) {
    String key = kind + "#" + ENTRIES.incrementAndGet();
    if (local != null) {
      LOCAL.put(key, local); // before the entry: a worker reading the entry finds its registration
    }
    registry(vertx).put(key, new JsonObject().put("kind", kind).put("concurrency", concurrency)
        .put("timeoutMs", timeoutMs).put("external", local == null));
    changed(vertx);
    return key;
  }

  static void remove(Vertx vertx, String key) {
    if (registry(vertx).remove(key) != null) {
      changed(vertx);
    }
    LOCAL.remove(key);
  }

  /**
   * The kinds registered on this node, by name: {@code {"concurrency": SUM, "timeoutMs": LONGEST,
   * "registrations": N}}.
   */
  public static Map<String, JsonObject> kinds(Vertx vertx) {
    Map<String, JsonObject> kinds = new TreeMap<>();
    registry(vertx).values().forEach(e -> kinds.merge(e.getString("kind"), new JsonObject()
            .put("concurrency", e.getInteger("concurrency")).put("timeoutMs", e.getLong("timeoutMs"))
            .put("registrations", 1),
        (a, b) -> a.put("concurrency", a.getInteger("concurrency") + b.getInteger("concurrency"))
            .put("timeoutMs", Math.max(a.getLong("timeoutMs"), b.getLong("timeoutMs")))
            .put("registrations", a.getInteger("registrations") + 1)));
    return kinds;
  }

  /**
   * The kinds whose every entry in this node's registry is a handler in this JVM, with those
   * handlers: the worker calls them without the bus. A kind with any external entry is not here.
   */
  static Map<String, List<KindRegistration>> locals(Vertx vertx) {
    Map<String, List<KindRegistration>> locals = new HashMap<>();
    Set<String> external = new HashSet<>();
    registry(vertx).entrySet().forEach(e -> {
      String kind = e.getValue().getString("kind");
      KindRegistration local = LOCAL.get(e.getKey());
      if (local == null) {
        external.add(kind);
      } else {
        locals.computeIfAbsent(kind, k -> new ArrayList<>()).add(local);
      }
    });
    locals.keySet().removeAll(external);
    return locals;
  }

  /**
   * This node's id in the handler listings ({@code GET /v1/queues}): {@link Membership#nodeId}.
   */
  public static String node(Vertx vertx) {
    return Membership.nodeId(vertx);
  }


  private static void changed(Vertx vertx) {
    VERSION.incrementAndGet();
    vertx.eventBus().publish(CHANGED, null);
  }

  private static LocalMap<String, JsonObject> registry(Vertx vertx) {
    return vertx.sharedData().getLocalMap(REGISTRY);
  }
}
