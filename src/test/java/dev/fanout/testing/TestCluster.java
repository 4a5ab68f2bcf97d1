package dev.fanout.testing;

import dev.fanout.cluster.ClusterNode;
import dev.fanout.cluster.Membership;
import dev.fanout.config.ClusterConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Test support: clustered Vert.x instances in this JVM, on loopback, that find each other by
 * TCP/IP under a cluster name of their own (no multicast, no wait before joining), each attached
 * to {@link Membership} as a node of fanout's, with fanout's own Hazelcast configuration
 * ({@link ClusterNode#hazelcastConfig}); unlike {@link ClusterNode#start}, it keeps each node's
 * cluster manager, so a test can end a member abruptly.
 */
public final class TestCluster {
  /** One node: its Vert.x and its cluster manager (to stop it abruptly). */
  public record Node(Vertx vertx, HazelcastClusterManager manager) {
    /** This node's id in the cluster. */
    public String id() {
      return manager.getNodeId();
    }
  }

  /** fanout's own Hazelcast configuration, on a free port of 127.0.0.1 and a cluster name of this test's. */
  private final ClusterConfig config;
  private final List<Node> nodes = new ArrayList<>();

  /** A cluster of no nodes yet: the first takes a free port, the next ones the ports after it. */
  public TestCluster() {
    int port = freePort();
    config = new ClusterConfig(true, "fanout-test-" + UUID.randomUUID(), List.of("127.0.0.1:" + port), "127.0.0.1",
        port, false);
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** This cluster's settings: a node process given them joins it ({@link NodeProcess}). */
  public ClusterConfig config() {
    return config;
  }

  /** Starts one more node of this cluster (call off the event loop or from a test method). */
  public Future<Node> start() {
    HazelcastClusterManager manager = new HazelcastClusterManager(ClusterNode.hazelcastConfig(config));
    VertxOptions options = new VertxOptions()
        .setEventBusOptions(new EventBusOptions().setHost("127.0.0.1").setPort(0));
    return Vertx.builder().with(options).withClusterManager(manager).buildClustered().map(vertx -> {
      Membership.attach(vertx, manager);
      Node node = new Node(vertx, manager);
      nodes.add(node);
      return node;
    });
  }

  /**
   * The in-JVM stand-in for {@code kill -9} of {@code node}: its Hazelcast member ends at once
   * (the others see it leave, as they see a dead process go), then its Vert.x is closed without
   * waiting; with its cluster gone that close tears the node down part-way (its undeploys fail,
   * its event loops end), so it claims and writes nothing more, and it may never report closed.
   */
  public void crash(Node node) {
    nodes.remove(node);
    node.manager().getHazelcastInstance().getLifecycleService().terminate();
    node.vertx().close();
    Membership.detach(node.vertx());
  }

  /** Closes every node that did not crash. */
  public Future<Void> close() {
    List<Future<Void>> closed = new ArrayList<>();
    nodes.forEach(n -> closed.add(n.vertx().close().eventually(() -> {
      Membership.detach(n.vertx());
      return Future.succeededFuture();
    })));
    return Future.join(closed).mapEmpty();
  }
}
