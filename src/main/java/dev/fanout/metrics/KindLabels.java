package dev.fanout.metrics;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code kind} label of a job kind: the kind itself for the first {@code max} distinct kinds
 * seen, {@code "other"} for any after them. Kinds are names clients choose, so without a cap a
 * client enqueueing many invented kinds would make as many series. Safe on any thread.
 */
final class KindLabels {
  static final String OTHER = "other";

  private final int max;
  private final Set<String> known = ConcurrentHashMap.newKeySet();

  KindLabels(int max) {
    this.max = max;
  }

  /** The label of {@code kind}. */
  String of(String kind) {
    if (known.contains(kind)) {
      return kind;
    }
    synchronized (this) { // a new kind: rare, and the cap must hold when two arrive at once
      if (known.contains(kind) || known.size() < max && known.add(kind)) {
        return kind;
      }
    }
    return OTHER;
  }
}
