package dev.fanout.config;

import java.util.List;

/**
 * The cluster ({@code cluster.*}): Vert.x clustered over Hazelcast, members found by TCP/IP.
 *
 * @param enabled whether this node joins a cluster ({@code serve --cluster} sets it)
 * @param name the cluster's name: only nodes of one name join each other
 * @param members the members to contact ({@code host} or {@code host:port}), no multicast
 * @param host the address this node's cluster member and event bus bind to
 * @param port the cluster member's port (Hazelcast); 0 picks a free one
 */
public record ClusterConfig(boolean enabled, String name, List<String> members, String host, int port) {

  static ClusterConfig read(ConfigReader r) {
    return new ClusterConfig(r.bool("cluster.enabled"), r.string("cluster.name"),
        List.copyOf(r.stringList("cluster.members")), r.string("cluster.host"), r.intIn("cluster.port", 0, 65_535));
  }
}
