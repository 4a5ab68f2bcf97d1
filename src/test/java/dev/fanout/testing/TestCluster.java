package dev.fanout.testing;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import dev.fanout.cluster.Membership;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Test support: clustered Vert.x instances in this JVM, on loopback, that find each other by
 * TCP/IP under a cluster name of their own (no multicast, no wait before joining), each attached
 * to {@link Membership} as a node of fanout's. Kept apart from the production cluster setup, so
 * the tests of jobs across nodes depend only on Vert.x and Hazelcast.
 */
public final class TestCluster {
  /** One node: its Vert.x and its cluster manager (to stop it abruptly). */
  public record Node(Vertx vertx, HazelcastClusterManager manager) {
    /** This node's id in the cluster. */
    public String id() {
      return manager.getNodeId();
    }
  }

  private final String name = "fanout-test-" + UUID.randomUUID();
  private final List<Node> nodes = new ArrayList<>();

  /** Starts one more node of this cluster (call off the event loop or from a test method). */
  public Future<Node> start() {
    HazelcastClusterManager manager = new HazelcastClusterManager(config(name));
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

  /** A Hazelcast member of cluster {@code name} that joins only members on 127.0.0.1. */
  static Config config(String name) {
    Config config = new Config().setClusterName(name);
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    NetworkConfig network = config.getNetworkConfig().setPortAutoIncrement(true);
    network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1");
    return config;
  }
}
