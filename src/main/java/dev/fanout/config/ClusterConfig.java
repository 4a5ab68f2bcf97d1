package dev.fanout.config;

import java.util.List;

/**
 * The cluster ({@code cluster.*}): Vert.x clustered over Hazelcast, members found by TCP/IP.
 *
 * @param enabled whether this node joins a cluster ({@code serve --cluster} sets it)
 * @param name the cluster's name: only nodes of one name join each other
 * @param members the members to contact ({@code host} or {@code host:port}), no multicast
 * @param host the IP address this node's cluster member and event bus bind to
 * @param port the cluster member's first port (Hazelcast; the next free one above it is taken when
 *     it is in use); 0 picks a free one
 * @param embeddedDatabase whether a clustered node may use its own embedded PostgreSQL (the other
 *     nodes then point {@code pg.url} at it): for trying a cluster on one machine only
 */
public record ClusterConfig(boolean enabled, String name, List<String> members, String host, int port,
    boolean embeddedDatabase) {

  static ClusterConfig read(ConfigReader r) {
    ClusterConfig c = new ClusterConfig(r.bool("cluster.enabled"), r.string("cluster.name").trim(),
        List.copyOf(r.stringList("cluster.members")), r.string("cluster.host").trim(),
        r.intIn("cluster.port", 0, 65_535), r.bool("cluster.embeddedDatabase"));
    if (c.name.isEmpty()) {
      throw new ConfigException("cluster.name", "must not be empty");
    }
    if (c.host.isEmpty()) {
      throw new ConfigException("cluster.host", "must be an IP address of this machine (127.0.0.1 by default)");
    }
    return c;
  }
}
