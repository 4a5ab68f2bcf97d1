package dev.fanout.cli;

/**
 * A command's input cannot be used (a file that is missing or unreadable, a line that is not
 * JSON): reported as one line, {@code fanout: <message>}, exit 2 — without the usage text a
 * mistyped option gets, since the options were right.
 */
public final class InputFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A failure with the one line to print. */
  public InputFailure(String message) {
    super(message, null, false, false);
  }
}
