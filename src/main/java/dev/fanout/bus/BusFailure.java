package dev.fanout.bus;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * A failed bus request as fanout answers it: a {@link ReplyException} whose failure code is a
 * {@link FailureCode} and which carries the failing input's field as data ({@code requests[3].url};
 * null when the failure is not about one field). A handler answers with {@link #reply}; a caller
 * reads any failure with {@link #of}. The message stays the human-readable text other bus clients
 * get ({@code "requests[3].url: must be http or https"}); the field crosses a cluster hop through
 * {@link BusFailureCodec}, which {@link #register} installs.
 */
public final class BusFailure extends ReplyException {
  private static final long serialVersionUID = 1L;
  private final FailureCode code;
  private final String field;

  /** A failure that is not about one field. */
  public BusFailure(FailureCode code, String message) {
    this(code, message, null);
  }

  /** A failure about {@code field} (a dotted path), or none when null. */
  public BusFailure(FailureCode code, String message, String field) {
    super(ReplyFailure.RECIPIENT_FAILURE, code.code(), message);
    this.code = code;
    this.field = field;
  }

  /** What kind of failure. */
  public FailureCode code() {
    return code;
  }

  /** The failing input's field, or null. */
  public String field() {
    return field;
  }

  /**
   * Any failure as a bus failure: bad input ({@link InvalidRequest}) is {@link FailureCode#INVALID}
   * naming its field; a bus timeout {@link FailureCode#TIMEOUT}; no handler
   * {@link FailureCode#UNAVAILABLE}; another handler's failure keeps its code; anything else is a
   * bug, {@link FailureCode#INTERNAL}.
   */
  public static BusFailure of(Throwable t) {
    return of(t, FailureCode.INTERNAL, null);
  }

  /**
   * Like {@link #of(Throwable)}, but a throwable that is none of those (a database driver's error,
   * say) is {@code otherwise}, its message prefixed with {@code what} when given.
   */
  public static BusFailure of(Throwable t, FailureCode otherwise, String what) {
    if (t instanceof BusFailure f) {
      return f;
    }
    if (t instanceof InvalidRequest e) {
      return e.toFailure();
    }
    if (t instanceof ReplyException re) {
      return new BusFailure(switch (re.failureType()) {
        case TIMEOUT -> FailureCode.TIMEOUT;
        case NO_HANDLERS -> FailureCode.UNAVAILABLE;
        case RECIPIENT_FAILURE -> FailureCode.of(re.failureCode());
        default -> FailureCode.INTERNAL; // ERROR: the bus could not deliver (a codec failed)
      }, re.getMessage());
    }
    String message = t == null || t.getMessage() == null ? name(t) : t.getMessage();
    return new BusFailure(otherwise, what == null ? message : what + ": " + message);
  }

  private static String name(Throwable t) {
    return t == null ? "failed" : t.getClass().getSimpleName();
  }

  /** Fails {@code msg} with {@code t} as a bus failure ({@link #of(Throwable)}). */
  public static void reply(Message<?> msg, Throwable t) {
    msg.reply(of(t));
  }

  /** Fails {@code msg} with {@code t} as {@link #of(Throwable, FailureCode, String)} maps it. */
  public static void reply(Message<?> msg, Throwable t, FailureCode otherwise, String what) {
    msg.reply(of(t, otherwise, what));
  }

  /** Registers {@link BusFailureCodec} with {@code vertx} once; later calls do nothing. */
  public static void register(Vertx vertx) {
    try {
      vertx.eventBus().registerDefaultCodec(BusFailure.class, new BusFailureCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // another part of fanout registered it first
    }
  }
}
