package dev.fanout.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.MultiMapConfig.ValueCollectionType;
import com.hazelcast.config.NetworkConfig;
import dev.fanout.config.ClusterConfig;
import dev.fanout.config.MetricsConfig;
import dev.fanout.metrics.VertxMeters;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * Starting and stopping a clustered Vert.x: Hazelcast configured in code from {@code cluster.*}
 * (no XML on the class path decides it), members found over TCP/IP only, everything bound to
 * {@code cluster.host}. {@link Membership} knows the node once it has joined.
 */
public final class ClusterNode {
  /** What vertx-hazelcast keeps in Hazelcast (the settings of its default-cluster.xml). */
  private static final String SUBSCRIPTIONS = "__vertx.subs";
  private static final String[] VERTX_MAPS = {"__vertx.haInfo", "__vertx.nodeInfo"};

  private ClusterNode() {}

  /**
   * The Hazelcast configuration of a node: the cluster's name, TCP/IP join with {@code members}
   * (multicast and cloud auto-detection off: a node joins only the members it is told of), the
   * member's interface and first port (auto-increment, so a second node on one machine takes the
   * next port), no wait before joining, no phone-home.
   */
  public static Config hazelcastConfig(ClusterConfig cfg) {
    Config c = new Config().setClusterName(cfg.name());
    c.setProperty("hazelcast.wait.seconds.before.join", "0");
    c.setProperty("hazelcast.phone.home.enabled", "false");
    c.setProperty("hazelcast.logging.type", "slf4j");
    c.setProperty("hazelcast.socket.bind.any", "false"); // the interface below only
    c.setProperty("hazelcast.shutdownhook.enabled", "false"); // Vert.x's close leaves the cluster
    NetworkConfig net = c.getNetworkConfig().setPort(cfg.port()).setPortAutoIncrement(true);
    net.getInterfaces().setEnabled(true).addInterface(cfg.host());
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(cfg.members());
    c.addMultiMapConfig(new MultiMapConfig(SUBSCRIPTIONS).setBackupCount(1)
        .setValueCollectionType(ValueCollectionType.SET));
    for (String map : VERTX_MAPS) {
      c.addMapConfig(new MapConfig(map).setBackupCount(1));
    }
    return c;
  }

  /**
   * Starts a Vert.x with {@code options} that joins the cluster {@code cfg} describes, its event
   * bus bound to {@code cluster.host} on a free port. Completes once joined (and attached to
   * {@link Membership}); fails if it cannot join.
   */
  public static Future<Vertx> start(VertxOptions options, ClusterConfig cfg) {
    return start(options, cfg, new MetricsConfig(false, 0, 1));
  }

  /** {@link #start(VertxOptions, ClusterConfig)} with Vert.x's meters when {@code metrics.enabled}. */
  public static Future<Vertx> start(VertxOptions options, ClusterConfig cfg, MetricsConfig metrics) {
    HazelcastClusterManager manager = new HazelcastClusterManager(hazelcastConfig(cfg));
    options.setEventBusOptions(new EventBusOptions().setHost(cfg.host()).setPort(0));
    VertxMeters meters = new VertxMeters(metrics);
    return meters.builder(options).withClusterManager(manager).buildClustered()
        .map(meters::attach)
        .onSuccess(vertx -> Membership.attach(vertx, manager));
  }

  /** Closes {@code vertx} (leaving the cluster if it is a member), then forgets its membership. */
  public static Future<Void> close(Vertx vertx) {
    return vertx.close().onComplete(ar -> Membership.detach(vertx));
  }
}
