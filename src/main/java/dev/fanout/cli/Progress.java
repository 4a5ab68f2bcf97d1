package dev.fanout.cli;

import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress on stderr: a progress bar when stderr is a terminal, else a line every interval; a
 * one-line summary at the end in any case. Counts are updated on the gather's event loop and
 * read by the bar's own thread, hence volatile.
 */
final class Progress {
  private final PrintStream err;
  private final long startNanos = System.nanoTime();
  private final Map<String, Long> failedByKind = new TreeMap<>();
  private volatile long done;
  private volatile long failed;
  private volatile long total = -1;
  private ProgressBar bar;

  Progress(PrintStream err, boolean terminal) {
    this.err = err;
    if (terminal) {
      bar = new ProgressBarBuilder().setTaskName("fetch").setInitialMax(-1).setStyle(ProgressBarStyle.ASCII)
          .setConsumer(new ConsoleProgressBarConsumer(err)).showSpeed().setUnit(" urls", 1).build();
    }
  }

  /** Whether this process's stderr is a terminal (Linux: /proc/self/fd/2 points at a tty). */
  static boolean stderrIsTerminal() {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (Exception e) {
      return false;
    }
  }

  void total(long n) {
    total = n;
    if (bar != null) {
      bar.maxHint(n);
    }
  }

  void add(JsonObject result) {
    JsonObject e = result.getJsonObject("error");
    add(result.getBoolean("ok", false), e == null ? null : e.getString("kind"));
  }

  /** A result: whether it is ok, and else its error kind (null when it has none). */
  void add(boolean ok, String kind) {
    done++;
    if (!ok) {
      failed++;
      synchronized (failedByKind) {
        failedByKind.merge(kind == null ? "unknown" : kind, 1L, Long::sum);
      }
    }
    if (bar != null) {
      bar.stepTo(done);
      if (failed > 0) {
        bar.setExtraMessage("failed " + failed);
      }
    }
  }

  /** A progress line (for a log, not a terminal). */
  String line() {
    double secs = (System.nanoTime() - startNanos) / 1e9;
    double rate = secs > 0 ? done / secs : 0;
    StringBuilder sb = new StringBuilder("progress: ").append(done);
    if (total >= 0) {
      sb.append('/').append(total);
      if (total > 0) {
        sb.append(String.format(Locale.ROOT, " (%.0f%%)", 100.0 * done / total));
      }
    }
    sb.append(String.format(Locale.ROOT, ", %.0f/s, failed %d", rate, failed));
    if (total >= 0 && rate > 0) {
      sb.append(String.format(Locale.ROOT, ", eta %.0f s", Math.max(0, total - done) / rate));
    }
    return sb.toString();
  }

  void tick() {
    if (bar == null) {
      err.println(line());
    }
  }

  /** Ends the bar and prints the summary line. */
  void finish() {
    if (bar != null) {
      bar.close();
    }
    double secs = (System.nanoTime() - startNanos) / 1e9;
    String kinds;
    synchronized (failedByKind) {
      StringBuilder sb = new StringBuilder();
      failedByKind.forEach((k, n) -> sb.append(sb.length() == 0 ? " (" : ", ").append(k).append(' ').append(n));
      kinds = sb.length() == 0 ? "" : sb.append(')').toString();
    }
    err.printf(Locale.ROOT, "fetched %d urls in %.1f s (%.0f/s): %d ok, %d failed%s%n",
        done, secs, secs > 0 ? done / secs : 0, done - failed, failed, kinds);
    err.flush();
  }
}
