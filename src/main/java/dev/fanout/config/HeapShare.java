package dev.fanout.config;

/**
 * The default of the memory limits whose configured 0 means "size it by the heap"
 * ({@code fetch.captureBudgetBytes}, {@code gather.maxSettleBytes}): an eighth of the largest heap
 * the JVM may use, at least 1 MiB.
 */
final class HeapShare {
  private HeapShare() {}

  /** {@code configured} when positive, else an eighth of the maximum heap (at least 1 MiB). */
  static long orEighth(long configured) {
    return configured > 0 ? configured : Math.max(1 << 20, Runtime.getRuntime().maxMemory() / 8);
  }
}
