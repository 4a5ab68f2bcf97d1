package dev.fanout.bridge;

import dev.fanout.config.BridgeConfig;
import dev.fanout.config.BridgeConfig.HandlerKind;
import dev.fanout.queue.JobHandlers;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which handler kinds this node claims for its bridge clients: a kind from the first client that
 * registers {@code fanout.job.<kind>} until the last such client unregisters or disconnects, with
 * the kind's configured concurrency and attempt timeout ({@code bridge.handlerKinds}). Several
 * clients of one kind share that concurrency (the bus hands each job to one of them, in turn):
 * the configuration says how much of the kind this node runs, not each client. Used on the
 * bridge's event loop.
 */
final class Claims {
  private static final Logger LOG = LoggerFactory.getLogger(Claims.class);

  private final Vertx vertx;
  private final Map<String, HandlerKind> kinds = new HashMap<>();
  private final Map<String, Set<Session>> holders = new HashMap<>();
  private final Map<String, JobHandlers.External> claims = new HashMap<>();

  Claims(Vertx vertx, List<HandlerKind> kinds) {
    this.vertx = vertx;
    kinds.forEach(k -> this.kinds.put(k.address(), k));
  }

  /** {@code session} consumes {@code address}: a handler kind's is claimed if it was not. */
  void hold(String address, Session session) {
    HandlerKind kind = kinds.get(address);
    if (kind == null) {
      return;
    }
    Set<Session> sessions = holders.computeIfAbsent(address, a -> new HashSet<>());
    if (sessions.isEmpty()) {
      LOG.info("claiming kind {} for bridge clients (concurrency {}, timeout {} ms)",
          kind.kind(), kind.concurrency(), kind.timeoutMs());
      claims.put(address, JobHandlers.registerExternal(vertx, kind.kind(),
          new JobHandlers.Options(kind.concurrency(), kind.timeoutMs(), false)));
    }
    sessions.add(session);
  }

  /** {@code session} no longer consumes {@code address}: the kind is let go after its last client. */
  void release(String address, Session session) {
    Set<Session> sessions = holders.get(address);
    if (sessions == null || !sessions.remove(session) || !sessions.isEmpty()) {
      return;
    }
    holders.remove(address);
    LOG.info("no bridge client handles kind {} any more: no longer claimed", kinds.get(address).kind());
    claims.remove(address).remove();
  }

  /** The attempt timeout of the handler kind at {@code address}. */
  long timeoutMs(String address) {
    HandlerKind kind = kinds.get(address);
    return kind == null ? BridgeConfig.DEFAULT_TIMEOUT_MS : kind.timeoutMs();
  }

  /** Lets every kind go (the bridge stops). */
  void releaseAll() {
    claims.values().forEach(JobHandlers.External::remove);
    claims.clear();
    holders.clear();
  }
}
