package dev.fanout.bridge;

import dev.fanout.config.BridgeConfig;
import dev.fanout.config.FanoutConfig;
import dev.fanout.config.PortInUse;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.eventbus.bridge.tcp.BridgeEvent;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP event-bus bridge ({@code bridge.*}; off unless {@code bridge.port > 0}): other processes
 * and languages on fanout's bus, 4-byte big-endian length + JSON frames, with the permissions of
 * {@link Permits}. A client registering {@code fanout.job.<kind>} of a handler kind makes this node
 * claim the kind while it stays connected ({@link Claims}); its unanswered jobs are released when
 * it goes ({@link Session}); frames over {@code bridge.maxFrameBytes} close it ({@link GuardedSocket}).
 * One instance: every client on one event loop, whose state needs no locks.
 */
public final class BridgeVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(BridgeVerticle.class);
  private static final String STATE = "fanout.bridge";

  private TcpEventBusBridge bridge;
  private Claims claims;

  /** Deploys the bridge with the service's configuration {@code config}; completes with its id. */
  public static Future<String> deploy(Vertx vertx, JsonObject config) {
    return vertx.deployVerticle(new BridgeVerticle(), new DeploymentOptions().setConfig(config));
  }

  /** The port the bridge listens on, or -1 when it does not. */
  public static int boundPort(Vertx vertx) {
    Object p = vertx.sharedData().getLocalMap(STATE).get("port");
    return p == null ? -1 : (Integer) p;
  }

  @Override
  public Future<?> start() {
    FanoutConfig all = FanoutConfig.fromJson(config());
    BridgeConfig cfg = all.bridge();
    claims = new Claims(vertx, cfg.handlerKinds());
    NetServer server = vertx.createNetServer(new NetServerOptions());
    bridge = TcpEventBusBridge.create(handingOver(server), Permits.of(cfg), null, this::event);
    // the 5.0.8 bridge sets its connect handler on the server it was handed: each socket it gets
    // is now the client's, guarded
    Handler<NetSocket> bridged = server.connectHandler();
    server.connectHandler(real -> {
      Session session = new Session(vertx, claims, all.api());
      GuardedSocket socket = new GuardedSocket(real, cfg.maxFrameBytes(), session);
      session.attach(socket);
      bridged.handle(socket);
    });
    return bridge.listen(cfg.port(), cfg.host())
        .recover(e -> PortInUse.explain(e, "bridge.port", "FANOUT_BRIDGE_PORT", cfg.host(), cfg.port()))
        .onSuccess(b -> {
          vertx.sharedData().getLocalMap(STATE).put("port", server.actualPort());
          LOG.info("event-bus bridge on {}:{}: inbound {}, outbound {}, handler kinds {}, frames up to {} bytes",
              cfg.host(), server.actualPort(), cfg.inbound(), cfg.outbound(), cfg.handlerKinds(),
              cfg.maxFrameBytes());
        });
  }

  @Override
  public Future<?> stop() {
    vertx.sharedData().getLocalMap(STATE).remove("port");
    return bridge.close().eventually(() -> {
      claims.releaseAll();
      return Future.succeededFuture();
    });
  }

  /**
   * This Vert.x, except that the server it creates is {@code server}. The 5.0.8 bridge creates its
   * own server and keeps its connect handler private, with no way to see a socket before it reads
   * from it (no SOCKET_CREATED, SOCKET_CLOSED or RECEIVE events, unlike the SockJS bridge); handed
   * ours, it sets its connect handler on a server we can read it back from.
   */
  private Vertx handingOver(NetServer server) {
    Vertx real = vertx;
    return (Vertx) Proxy.newProxyInstance(Vertx.class.getClassLoader(), new Class<?>[] {Vertx.class},
        (proxy, method, args) -> {
          if (method.getName().equals("createNetServer")) {
            return server;
          }
          try {
            return method.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  /** Every frame (and each registration done), before the bridge acts on it. */
  private void event(BridgeEvent event) {
    if (!(event.socket() instanceof GuardedSocket socket)) {
      event.complete(false);
      return;
    }
    Session session = socket.session();
    JsonObject frame = event.getRawMessage();
    if (session.isInjecting()) {
      event.complete(true); // the session answering for its client: a left client's jobs, an expired one
      return;
    }
    if (!session.admit(frame)) {
      event.complete(false);
      socket.close();
      return;
    }
    String address = frame == null ? null : frame.getString("address");
    BridgeEventType type = event.type();
    if (type == BridgeEventType.REGISTER) {
      event.complete(session.mayRegister(address));
      return;
    }
    if (type == BridgeEventType.REGISTERED) {
      session.registered(address);
    } else if (type == BridgeEventType.UNREGISTER) {
      session.unregistering(address);
    } else if (type == BridgeEventType.SEND) {
      session.sending(address);
    }
    event.complete(true);
  }
}
