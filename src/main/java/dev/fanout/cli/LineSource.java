package dev.fanout.cli;

import dev.fanout.bus.FetchSpec;
import dev.fanout.gather.Gather;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * URLs from a reader, one per line (blank lines and {@code #} comments skipped), read lazily in
 * batches on a worker thread: the run_in_executor pattern, since reading a file or stdin blocks.
 * Each URL is parsed into its spec there too. A batch is at least {@link #READ_AHEAD} lines, the
 * rest kept for the next asks: each trip to the worker wakes two threads, and at a window of 50
 * the gather would otherwise make one every 64 URLs.
 */
final class LineSource implements Gather.Source {
  /** The fewest specs read in one trip to the worker thread. */
  static final int READ_AHEAD = 1024;
  private final Vertx vertx;
  private final BufferedReader reader;
  private final FetchSpec.Options defaults;
  private final ArrayDeque<FetchSpec> ahead = new ArrayDeque<>();

  /** URLs from {@code reader}, fetched with {@code defaults}. */
  LineSource(Vertx vertx, BufferedReader reader, FetchSpec.Options defaults) {
    this.vertx = vertx;
    this.reader = reader;
    this.defaults = defaults;
  }

  @Override
  public Future<List<FetchSpec>> next(int max) {
    if (!ahead.isEmpty()) {
      return Future.succeededFuture(take(max));
    }
    int batch = Math.max(max, READ_AHEAD);
    return vertx.executeBlocking(() -> {
      List<FetchSpec> out = new ArrayList<>(batch);
      String line;
      while (out.size() < batch && (line = reader.readLine()) != null) {
        String url = urlOf(line);
        if (url != null) {
          out.add(FetchSpec.of(url, defaults)); // parsed here, off the event loop
        }
      }
      return out;
    }).map(read -> {
      ahead.addAll(read); // back on the caller's context
      return take(max);
    });
  }

  private List<FetchSpec> take(int max) {
    List<FetchSpec> out = new ArrayList<>(Math.min(max, ahead.size()));
    while (out.size() < max && !ahead.isEmpty()) {
      out.add(ahead.poll());
    }
    return out;
  }

  /** The URL on a line, or null for a blank or comment line. */
  static String urlOf(String line) {
    String s = line.strip();
    return s.isEmpty() || s.startsWith("#") ? null : s;
  }

  /** Counts the URLs of a reader (for the progress total); blocking. */
  static long count(BufferedReader r) throws IOException {
    long n = 0;
    String line;
    while ((line = r.readLine()) != null) {
      if (urlOf(line) != null) {
        n++;
      }
    }
    return n;
  }
}
