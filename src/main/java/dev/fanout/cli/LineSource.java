package dev.fanout.cli;

import dev.fanout.bus.FetchSpec;
import dev.fanout.gather.Gather;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * URLs from a reader, one per line (blank lines and {@code #} comments skipped), read lazily in
 * batches on a worker thread: the run_in_executor pattern, since reading a file or stdin blocks.
 * Each URL is parsed into its spec there too.
 */
final class LineSource implements Gather.Source {
  private final Vertx vertx;
  private final BufferedReader reader;
  private final FetchSpec.Options defaults;

  /** URLs from {@code reader}, fetched with {@code defaults}. */
  LineSource(Vertx vertx, BufferedReader reader, FetchSpec.Options defaults) {
    this.vertx = vertx;
    this.reader = reader;
    this.defaults = defaults;
  }

  @Override
  public Future<List<FetchSpec>> next(int max) {
    return vertx.executeBlocking(() -> {
      List<FetchSpec> out = new ArrayList<>(max);
      String line;
      while (out.size() < max && (line = reader.readLine()) != null) {
        String url = urlOf(line);
        if (url != null) {
          out.add(FetchSpec.of(url, defaults)); // parsed here, off the event loop
        }
      }
      return out;
    });
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
