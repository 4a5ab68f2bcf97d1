package dev.fanout.api;

import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Objects;

/**
 * How a job handler ends an attempt: {@link #complete complete} it with a result, {@link #retry
 * retry} it (the attempt failed; it runs again after a backoff, or is discarded after its last
 * attempt), {@link #snooze snooze} it (it runs again later without using an attempt), or
 * {@link #cancel cancel} it.
 *
 * <p>On the bus ({@code fanout.job.<kind>}) a reply is plain JSON, so a handler in any language
 * answers the same way: a result object completes; exactly {@code {"snooze": MS}} snoozes;
 * exactly {@code {"cancel": "reason"}} cancels; a failed reply ({@code fail(code, message)})
 * retries with the message as the error. {@link #fromJson} and {@link #toJson} convert between
 * this type and a successful reply; {@link #replyTo} sends any of the four.
 */
public final class JobReply {
  /** The four ways an attempt ends. */
  public enum Kind {
    /** Done: the job is completed with {@link #result()}. */
    COMPLETE,
    /** The attempt failed with {@link #error()}: retried after a backoff, or discarded after the last. */
    RETRY,
    /** Run again after {@link #delay()}, the attempt not used. */
    SNOOZE,
    /** The job is cancelled for {@link #reason()}. */
    CANCEL
  }

  private static final String SNOOZE = "snooze";
  private static final String CANCEL = "cancel";

  private final Kind kind;
  private final JsonObject result;
  private final String text;
  private final long delayMs;

  private JobReply(Kind kind, JsonObject result, String text, long delayMs) {
    this.kind = kind;
    this.result = result;
    this.text = text;
    this.delayMs = delayMs;
  }

  /** Completes the job with {@code result} (null is taken as an empty object). */
  public static JobReply complete(JsonObject result) {
    return new JobReply(Kind.COMPLETE, result == null ? new JsonObject() : result, null, 0);
  }

  /**
   * Fails this attempt with {@code error} (null: none given); the job retries after a backoff, or
   * is discarded after its last attempt.
   */
  public static JobReply retry(String error) {
    return new JobReply(Kind.RETRY, null, error, 0);
  }

  /** Runs the job again after {@code delay} (negative is taken as zero) without using an attempt. */
  public static JobReply snooze(Duration delay) {
    return snoozeMs(delay.toMillis());
  }

  private static JobReply snoozeMs(long ms) {
    return new JobReply(Kind.SNOOZE, null, null, Math.max(0, ms));
  }

  /** Cancels the job for {@code reason}. */
  public static JobReply cancel(String reason) {
    return new JobReply(Kind.CANCEL, null, Objects.requireNonNull(reason, "reason"), 0);
  }

  /**
   * A successful reply's body as a reply: {@code {"snooze": MS}} or {@code {"cancel": "reason"}}
   * exactly (nothing else in the object), or else a result that completes the job (null: an empty
   * one). The object is kept, not copied.
   */
  public static JobReply fromJson(JsonObject body) {
    if (body == null) {
      return complete(null);
    }
    if (body.size() == 1) {
      if (body.getValue(SNOOZE) instanceof Number ms) {
        return snoozeMs(ms.longValue());
      }
      if (body.getValue(CANCEL) instanceof String) {
        return new JobReply(Kind.CANCEL, body, body.getString(CANCEL), 0);
      }
    }
    return complete(body);
  }

  /**
   * The successful reply's body that means this: the result, {@code {"snooze": MS}} or
   * {@code {"cancel": "reason"}}.
   *
   * @throws IllegalStateException for a {@link Kind#RETRY}, which is a failed reply on the bus
   *     (see {@link #replyTo})
   */
  public JsonObject toJson() {
    return switch (kind) {
      case COMPLETE -> result;
      case SNOOZE -> new JsonObject().put(SNOOZE, delayMs);
      case CANCEL -> result != null ? result : new JsonObject().put(CANCEL, text);
      case RETRY -> throw new IllegalStateException("a retry is a failed reply, not JSON: use replyTo");
    };
  }

  /** Answers {@code msg} with this: a retry fails it with code 500 and the error, anything else replies. */
  public void replyTo(Message<?> msg) {
    if (kind == Kind.RETRY) {
      msg.fail(500, text);
    } else {
      msg.reply(toJson());
    }
  }

  /** Which of the four this is. */
  public Kind kind() {
    return kind;
  }

  /** What a completed job stores as its result, or a cancelled one's {@code {"cancel": reason}}; else null. */
  public JsonObject result() {
    return kind == Kind.CANCEL ? toJson() : result;
  }

  /** A retry's error, or null. */
  public String error() {
    return kind == Kind.RETRY ? text : null;
  }

  /** A cancellation's reason, or null. */
  public String reason() {
    return kind == Kind.CANCEL ? text : null;
  }

  /** A snooze's delay (zero for the others). */
  public Duration delay() {
    return Duration.ofMillis(delayMs);
  }

  /** A snooze's delay in milliseconds (zero for the others). */
  public long delayMs() {
    return delayMs;
  }

  @Override
  public String toString() {
    return switch (kind) {
      case COMPLETE -> "complete " + result.encode();
      case RETRY -> "retry: " + text;
      case SNOOZE -> "snooze " + delayMs + " ms";
      case CANCEL -> "cancel: " + text;
    };
  }
}
