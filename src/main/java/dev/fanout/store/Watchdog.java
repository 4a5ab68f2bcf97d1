package dev.fanout.store;

import java.io.File;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops the embedded server when fanout dies, however it dies. The server is not fanout's child
 * (pg_ctl starts it in a session of its own), so nothing stops it when fanout is killed with
 * SIGKILL. The watchdog is: a small shell, fanout's child, that reads its standard input — a pipe
 * only fanout writes to. When fanout's process ends for any reason the kernel closes the pipe, the
 * read ends, and the shell asks the server for a fast shutdown (SIGINT), if {@code postmaster.pid}
 * still names the server it was started for. A fanout that stops normally ends the watchdog first.
 */
final class Watchdog {
  private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);
  // $1: the postmaster's pid; $2: the data directory. Ignores the terminal's INT and HUP: those go
  // to fanout too, which then stops the server itself.
  private static final String SCRIPT = "trap '' INT HUP; while read -r _; do :; done; "
      + "IFS= read -r p 2>/dev/null < \"$2/postmaster.pid\" && [ \"$p\" = \"$1\" ] && kill -INT \"$1\"";

  private final Process shell;

  private Watchdog(Process shell) {
    this.shell = shell;
  }

  /** Starts a watchdog for the server {@code pid} in {@code pgDir}; null (logged) if no shell could be started. */
  static Watchdog start(long pid, File pgDir) {
    try {
      Process shell = new ProcessBuilder(
              "sh", "-c", SCRIPT, "fanout-pg-watchdog", String.valueOf(pid), pgDir.getAbsolutePath())
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
      return new Watchdog(shell);
    } catch (IOException e) {
      LOG.warn("no watchdog for the embedded PostgreSQL ({}): if fanout is killed, the next start stops the server",
          e.getMessage());
      return null;
    }
  }

  /** Ends the watchdog without touching the server (fanout stops or restarts the server itself). */
  void stop() {
    shell.destroy(); // SIGTERM: the shell dies in its read; its pipe stays open until it has, so it cannot signal
    try {
      if (!shell.waitFor(2, TimeUnit.SECONDS)) {
        shell.destroyForcibly();
        shell.waitFor(2, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
