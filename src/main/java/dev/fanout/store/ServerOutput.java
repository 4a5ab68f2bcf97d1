package dev.fanout.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The output of a server fanout restarted (pg_ctl's, then the server's own log, which it
 * inherits): read to the end on a daemon thread so the server never blocks on a full pipe, logged
 * at DEBUG, the last lines kept for an error message.
 */
final class ServerOutput {
  private static final Logger LOG = LoggerFactory.getLogger("dev.fanout.store.postgres");
  private static final int KEEP = 20;
  private final Deque<String> last = new ArrayDeque<>();

  private ServerOutput() {}

  static ServerOutput follow(InputStream in) {
    ServerOutput out = new ServerOutput();
    Thread t = new Thread(() -> out.read(in), "embedded-postgres-output");
    t.setDaemon(true);
    t.start();
    return out;
  }

  private void read(InputStream in) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        LOG.debug("{}", line);
        synchronized (last) {
          if (last.size() == KEEP) {
            last.removeFirst();
          }
          last.addLast(line);
        }
      }
    } catch (IOException e) {
      // the server is gone
    }
  }

  /** The last lines read so far, joined. */
  String tail() {
    synchronized (last) {
      return String.join(" | ", last);
    }
  }
}
