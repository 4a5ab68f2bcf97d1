package dev.fanout.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** What fanout needs of other processes (the embedded server's): alive or not, what they are, signals. */
final class Processes {
  private Processes() {}

  /**
   * Whether {@code p} runs. A zombie does not: a server that died under an init that does not reap
   * it (fanout as pid 1 in a container) must count as dead, or it is never restarted.
   */
  static boolean alive(ProcessHandle p) {
    if (!p.isAlive()) {
      return false;
    }
    Path stat = Path.of("/proc", String.valueOf(p.pid()), "stat");
    try {
      String s = Files.readString(stat, StandardCharsets.US_ASCII);
      int end = s.lastIndexOf(')'); // the state follows the command name, which may hold spaces
      return end < 0 || end + 2 >= s.length() || s.charAt(end + 2) != 'Z';
    } catch (IOException e) {
      return p.isAlive(); // no /proc (not Linux), or it just exited
    }
  }

  /** Whether {@code pid} runs. */
  static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(Processes::alive).orElse(false);
  }

  /**
   * The server pid a {@code postmaster.pid} names (its first line), or empty when that line is
   * missing or not a number.
   */
  static Optional<Long> postmasterPid(Path pidFile) throws IOException {
    List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
    try {
      return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Whether {@code p} is a PostgreSQL server process (by its executable's name). */
  static boolean isPostgres(ProcessHandle p) {
    ProcessHandle.Info info = p.info();
    return info.command().map(c -> Path.of(c).getFileName().toString().equals("postgres"))
        .or(() -> info.commandLine().map(c -> c.contains("postgres")))
        .orElse(false);
  }

  /** Sends {@code SIG<name>} to {@code pid} (Java sends only TERM and KILL itself); waits for kill to finish. */
  static void signal(long pid, String name) throws IOException {
    try {
      new ProcessBuilder("sh", "-c", "kill -" + name + " " + pid) // the shell's kill: there is always one
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
          .start().waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while signalling pid " + pid, e);
    }
  }
}
