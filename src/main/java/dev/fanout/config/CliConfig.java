package dev.fanout.config;

/**
 * Settings of the {@code fanout fetch} command ({@code cli.*}).
 *
 * @param reorderWindow with {@code --ordered}, the most results held back waiting for an earlier one
 * @param progressIntervalMs how often a progress line is printed when stderr is not a terminal
 */
public record CliConfig(int reorderWindow, long progressIntervalMs) {

  static CliConfig read(ConfigReader r) {
    return new CliConfig(
        r.intIn("cli.reorderWindow", 1, 10_000_000),
        r.longIn("cli.progressIntervalMs", 100, 86_400_000L));
  }
}
