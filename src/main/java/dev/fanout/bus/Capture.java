package dev.fanout.bus;

import java.util.Locale;

/** Whether and how a fetch result carries the response body (always within the byte cap). */
public enum Capture {
  /** Only {@code bytes} and {@code sha256}. */
  NONE,
  /** The body decoded as text (the Content-Type charset, else UTF-8). */
  TEXT,
  /** The body as base64. */
  BASE64;

  /** The JSON name: {@code none}, {@code text}, {@code base64}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a JSON name, or fails with {@link InvalidRequest} naming {@code field}. */
  public static Capture parse(String field, String value) {
    for (Capture c : values()) {
      if (c.wire().equals(value)) {
        return c;
      }
    }
    throw new InvalidRequest(field, "must be one of none, text, base64 (got \"" + value + "\")");
  }
}
