package dev.fanout.bus;

/**
 * Bad input: a request that can never succeed as sent. Carries the offending field, so the web
 * layer can answer 400 problem+json naming it and the bus can answer {@code fail(400, message)}
 * with the field as data ({@link #toFailure()}; {@link #from(BusFailure)} reads it back).
 */
public final class InvalidRequest extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String field;
  private final String reason;

  /** A bad value in {@code field} (a dotted path such as {@code requests[3].url}). */
  public InvalidRequest(String field, String reason) {
    this(named(field), reason, named(field) + ": " + reason);
  }

  private InvalidRequest(String field, String reason, String message) {
    super(message, null, false, false);
    this.field = field;
    this.reason = reason;
  }

  /** A field that can be named: an empty key (a client may send {@code "": 1}) is shown as {@code ""}. */
  private static String named(String field) {
    return field == null || field.isEmpty() ? "\"\"" : field;
  }

  /** The offending field, as a dotted path. */
  public String field() {
    return field;
  }

  /** What is wrong with the field, without its name. */
  public String reason() {
    return reason;
  }

  /** The same problem, one level deeper: {@code url} within {@code requests[3]}. */
  public InvalidRequest within(String parent) {
    return new InvalidRequest(parent + "." + field, reason);
  }

  /** This problem as a bus failure: {@link FailureCode#INVALID}, the same message, the field as data. */
  public BusFailure toFailure() {
    return new BusFailure(FailureCode.INVALID, getMessage(), field);
  }

  /**
   * The bad input a bus failure reports, or null when it is not {@link FailureCode#INVALID} or
   * names no field (another bus client's {@code fail(400, text)}).
   */
  public static InvalidRequest from(BusFailure f) {
    if (f.code() != FailureCode.INVALID || f.field() == null) {
      return null;
    }
    String message = f.getMessage() == null ? f.field() : f.getMessage();
    String prefix = f.field() + ": ";
    return new InvalidRequest(f.field(), message.startsWith(prefix) ? message.substring(prefix.length()) : message,
        message);
  }
}
