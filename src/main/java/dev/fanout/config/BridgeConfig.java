package dev.fanout.config;

import java.util.List;

/**
 * The TCP event-bus bridge ({@code bridge.*}): other processes and languages on the bus.
 *
 * @param port the port to listen on; 0 leaves the bridge off
 * @param host the address to bind
 * @param inbound the addresses a client may send to
 * @param outbound the addresses a client may receive from (replies always reach it)
 * @param handlerKinds the job kinds a client may register as the handler of
 * @param maxFrameBytes a frame longer than this closes the connection
 */
public record BridgeConfig(int port, String host, List<String> inbound, List<String> outbound,
    List<String> handlerKinds, int maxFrameBytes) {

  static BridgeConfig read(ConfigReader r) {
    return new BridgeConfig(r.intIn("bridge.port", 0, 65_535), r.string("bridge.host"),
        List.copyOf(r.stringList("bridge.inbound")), List.copyOf(r.stringList("bridge.outbound")),
        List.copyOf(r.stringList("bridge.handlerKinds")), r.intIn("bridge.maxFrameBytes", 64, 1 << 30));
  }
}
