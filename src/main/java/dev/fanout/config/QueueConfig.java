package dev.fanout.config;

/**
 * The queue worker's settings ({@code queue.*}).
 *
 * @param claimBatch the most jobs one claim takes
 * @param leaseMs how long a claimed job is held before a claim or the sweep may take it back
 * @param renewEveryMs how often the leases of running jobs are renewed
 * @param rescueEveryMs how often every kind is swept for expired leases (a claim takes back its own kind's at once)
 * @param pollMs how often to look for runnable jobs when no notification arrives
 * @param flushMs how long finished attempts wait to be written together
 * @param backoffBaseMs retry backoff ceiling after the first failure; doubles per attempt (full jitter)
 * @param backoffMaxMs cap of the retry backoff ceiling
 * @param drainMs on stop, how long running jobs may finish before their leases are released
 * @param retentionMs finished jobs are deleted after this long
 * @param pruneEveryMs how often finished jobs are pruned
 * @param maxEnqueue the most jobs in one enqueue request
 * @param maxSnoozeMs the longest a handler's {@code {"snooze": ms}} puts a job off; longer asks are cut to this
 */
public record QueueConfig(int claimBatch, long leaseMs, long renewEveryMs, long rescueEveryMs, long pollMs,
    long flushMs, long backoffBaseMs, long backoffMaxMs, long drainMs, long retentionMs, long pruneEveryMs,
    int maxEnqueue, long maxSnoozeMs) {

  private static final long DAY_MS = 86_400_000L;

  static QueueConfig read(ConfigReader r) {
    QueueConfig q = new QueueConfig(
        r.intIn("queue.claimBatch", 1, 10_000),
        r.longIn("queue.leaseMs", 1000, DAY_MS),
        r.longIn("queue.renewEveryMs", 100, DAY_MS),
        r.longIn("queue.rescueEveryMs", 100, DAY_MS),
        r.longIn("queue.pollMs", 10, DAY_MS),
        r.longIn("queue.flushMs", 1, 10_000),
        r.longIn("queue.backoffBaseMs", 0, DAY_MS),
        r.longIn("queue.backoffMaxMs", 0, 30 * DAY_MS),
        r.longIn("queue.drainMs", 0, DAY_MS),
        r.longIn("queue.retentionMs", 1000, 3650 * DAY_MS),
        r.longIn("queue.pruneEveryMs", 1000, DAY_MS),
        r.intIn("queue.maxEnqueue", 1, 1_000_000),
        // ten years at most: far inside what a timestamp and an interval can hold
        r.longIn("queue.maxSnoozeMs", 1000, 3650 * DAY_MS));
    if (q.renewEveryMs >= q.leaseMs) {
      throw new ConfigException("queue.renewEveryMs", "must be shorter than queue.leaseMs");
    }
    return q;
  }
}
