package dev.fanout.bus;

import java.util.Locale;

/** Where a job is in its life. Final states: completed, cancelled, discarded. */
public enum JobState {
  AVAILABLE, SCHEDULED, RUNNING, RETRYABLE, COMPLETED, CANCELLED, DISCARDED;

  /** The stored and JSON name, lowercase. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a name, or fails with {@link InvalidRequest} naming {@code field}. */
  public static JobState parse(String field, String value) {
    for (JobState s : values()) {
      if (s.wire().equals(value)) {
        return s;
      }
    }
    throw new InvalidRequest(field,
        "must be one of available, scheduled, running, retryable, completed, cancelled, discarded");
  }

  /** Whether the job is done for good. */
  public boolean isFinal() {
    return this == COMPLETED || this == CANCELLED || this == DISCARDED;
  }
}
