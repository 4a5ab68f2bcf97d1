package dev.fanout.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Who is in the cluster, as fanout's parts see it: this node's id, the live nodes, and the news
 * of a node leaving. Clustered, the ids are Vert.x's node ids (a member attribute of Hazelcast's) and the
 * news comes from Hazelcast's own membership listeners (Vert.x's {@code ClusterManager} takes
 * one node listener only, and Vert.x uses it itself); not clustered, this process is the only
 * node, with an id of its own.
 */
public final class Membership {
  private static final Map<Vertx, HazelcastClusterManager> MANAGERS = new ConcurrentHashMap<>();
  /**
   * The live nodes' ids of each clustered Vert.x, as a set kept current by a membership listener:
   * {@link #live} is asked on the fetch path, and the manager's own list is rebuilt at each call.
   */
  private static final Map<Vertx, Set<String>> LIVE = new ConcurrentHashMap<>();
  private static final String NODE = "fanout.node";
  /** The member attribute vertx-hazelcast keeps each member's Vert.x node id in. */
  private static final String VERTX_NODE_ID = "__vertx.nodeId";

  private Membership() {}

  /** Notes that {@code vertx} is clustered through {@code manager}; call it once it has joined. */
  public static void attach(Vertx vertx, HazelcastClusterManager manager) {
    manager.getHazelcastInstance().getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        LIVE.put(vertx, Set.copyOf(manager.getNodes()));
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        LIVE.put(vertx, Set.copyOf(manager.getNodes()));
      }
    });
    LIVE.putIfAbsent(vertx, Set.copyOf(manager.getNodes())); // unless an event was quicker, and fresher
    MANAGERS.put(vertx, manager);
  }

  /** Forgets {@code vertx} (after it closed). */
  public static void detach(Vertx vertx) {
    MANAGERS.remove(vertx);
    LIVE.remove(vertx);
  }

  /** Whether {@code vertx} is a cluster member. */
  public static boolean clustered(Vertx vertx) {
    return MANAGERS.containsKey(vertx);
  }

  /**
   * This node's id: the cluster's node id when clustered, else the process id and a random suffix,
   * fixed for the life of {@code vertx}.
   */
  public static String nodeId(Vertx vertx) {
    HazelcastClusterManager m = MANAGERS.get(vertx);
    if (m != null) {
      return m.getNodeId();
    }
    LocalMap<String, String> node = vertx.sharedData().getLocalMap(NODE);
    byte[] suffix = new byte[4];
    ThreadLocalRandom.current().nextBytes(suffix);
    String mine = ProcessHandle.current().pid() + "-" + HexFormat.of().formatHex(suffix);
    String first = node.putIfAbsent("id", mine);
    return first == null ? mine : first;
  }

  /** Whether node {@code nodeId} is live as this node sees it (always, for this node when not clustered). */
  public static boolean live(Vertx vertx, String nodeId) {
    Set<String> live = LIVE.get(vertx);
    return live == null ? nodeId.equals(nodeId(vertx)) : live.contains(nodeId);
  }

  /** The live nodes' ids (this one alone when not clustered). */
  public static List<String> nodes(Vertx vertx) {
    HazelcastClusterManager m = MANAGERS.get(vertx);
    return m == null ? List.of(nodeId(vertx)) : List.copyOf(m.getNodes());
  }

  /**
   * Calls {@code left} with the id of each node that leaves the cluster (crash or stop), on the
   * caller's context. Returns what removes the listener; does nothing when not clustered.
   */
  public static Runnable onLeft(Vertx vertx, Handler<String> left) {
    return listen(vertx, null, left);
  }

  /**
   * Calls {@code joined} with the id of each node that joins the cluster, on the caller's context.
   * Returns what removes the listener; does nothing when not clustered.
   */
  public static Runnable onJoined(Vertx vertx, Handler<String> joined) {
    return listen(vertx, joined, null);
  }

  private static String vertxId(MembershipEvent event) {
    // Vert.x's node id is a member attribute of its own, not the Hazelcast member's UUID
    String vertxId = event.getMember().getAttribute(VERTX_NODE_ID);
    return vertxId != null ? vertxId : event.getMember().getUuid().toString();
  }

  private static Runnable listen(Vertx vertx, Handler<String> joined, Handler<String> left) {
    HazelcastClusterManager m = MANAGERS.get(vertx);
    if (m == null) {
      return () -> { };
    }
    Context context = vertx.getOrCreateContext();
    UUID id = m.getHazelcastInstance().getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        if (joined != null) {
          String node = vertxId(event);
          context.runOnContext(v -> joined.handle(node));
        }
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        if (left != null) {
          String node = vertxId(event);
          context.runOnContext(v -> left.handle(node));
        }
      }
    });
    return () -> m.getHazelcastInstance().getCluster().removeMembershipListener(id);
  }
}
