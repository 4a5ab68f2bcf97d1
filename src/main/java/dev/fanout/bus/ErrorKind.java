package dev.fanout.bus;

import java.util.Locale;

/** Why a fetch did not end with a 2xx status. The wire form is the lowercase, dashed name. */
public enum ErrorKind {
  INVALID_URL,
  BLOCKED,
  DNS,
  CONNECT,
  TIMEOUT,
  RESET,
  TLS,
  TOO_LARGE,
  TOO_MANY_REDIRECTS,
  HTTP_STATUS,
  CANCELLED,
  OVERLOADED,
  /** A fault inside fanout (a bug, or an exception from a library): the fetch ended, its permits freed. */
  INTERNAL;

  private final String wire = name().toLowerCase(Locale.ROOT).replace('_', '-');

  /** The name used in JSON: {@code too-large}, {@code http-status}, ... */
  public String wire() {
    return wire;
  }

  /** Parses a wire name; fails with {@link IllegalArgumentException} on an unknown one. */
  public static ErrorKind fromWire(String wire) {
    for (ErrorKind k : values()) {
      if (k.wire.equals(wire)) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown error kind: " + wire);
  }
}
