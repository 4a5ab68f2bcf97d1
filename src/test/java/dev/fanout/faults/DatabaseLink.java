package dev.fanout.faults;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP link on 127.0.0.1 between a client and PostgreSQL that a test can cut and restore: a
 * controllable database outage. While cut, open connections are closed and new ones are closed
 * as soon as they arrive, as a database that cannot be reached looks to vertx-pg-client.
 */
final class DatabaseLink {
  private final NetClient client;
  private final String host;
  private final int targetPort;
  private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
  private NetServer server;
  private volatile boolean cut;

  private DatabaseLink(Vertx vertx, String host, int targetPort) {
    this.client = vertx.createNetClient();
    this.host = host;
    this.targetPort = targetPort;
  }

  /** Listens on a free port of 127.0.0.1 and forwards each connection to {@code host:port}. */
  static Future<DatabaseLink> start(Vertx vertx, String host, int port) {
    DatabaseLink link = new DatabaseLink(vertx, host, port);
    link.server = vertx.createNetServer().connectHandler(link::accept);
    return link.server.listen(0, "127.0.0.1").map(link);
  }

  int port() {
    return server.actualPort();
  }

  /** Closes every open connection and refuses new ones until {@link #restore()}. */
  void cut() {
    cut = true;
    open.forEach(NetSocket::close);
  }

  void restore() {
    cut = false;
  }

  Future<Void> close() {
    cut();
    return server.close().eventually(client::close);
  }

  private void accept(NetSocket in) {
    if (cut) {
      in.close();
      return;
    }
    in.pause();
    client.connect(targetPort, host).onComplete(ar -> {
      if (ar.failed() || cut) {
        in.close();
        if (ar.succeeded()) {
          ar.result().close();
        }
        return;
      }
      NetSocket out = ar.result();
      open.add(in);
      open.add(out);
      in.handler(out::write);
      out.handler(in::write);
      in.closeHandler(v -> {
        open.remove(in);
        out.close();
      });
      out.closeHandler(v -> {
        open.remove(out);
        in.close();
      });
      in.resume();
    });
  }
}
