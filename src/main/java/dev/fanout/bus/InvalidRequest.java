package dev.fanout.bus;

/**
 * Bad input: a request that can never succeed as sent. Carries the offending field, so the web
 * layer can answer 400 problem+json naming it and the bus can answer {@code fail(400, message)}.
 */
public final class InvalidRequest extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String field;

  /** A bad value in {@code field} (a dotted path such as {@code requests[3].url}). */
  public InvalidRequest(String field, String message) {
    super(named(field) + ": " + message, null, false, false);
    this.field = named(field);
  }

  /** A field that can be named: an empty key (a client may send {@code "": 1}) is shown as {@code ""}. */
  private static String named(String field) {
    return field == null || field.isEmpty() ? "\"\"" : field;
  }

  /** The offending field, as a dotted path. */
  public String field() {
    return field;
  }

  /** The same problem, one level deeper: {@code url} within {@code requests[3]}. */
  public InvalidRequest within(String parent) {
    return new InvalidRequest(parent + "." + field, getMessage().substring(field.length() + 2));
  }
}
