package dev.fanout.bus;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.regex.Pattern;

/**
 * A JSON syntax error told as one plain sentence: what the parser found and where (line and
 * column), without its internals — no character codes, no "[Source: REDACTED
 * (StreamReadFeature...)]". Used wherever fanout reads JSON a person wrote: request bodies,
 * {@code --conf}, {@code enqueue} lines, bridge frames.
 */
public final class JsonSyntax {
  private static final Pattern CODE = Pattern.compile(" \\(code -?\\d+\\)");
  private static final Pattern START_MARKER =
      Pattern.compile("\\s*\\(start marker at \\[Source: .*?; line: (\\d+), column: (\\d+)\\]\\)");
  private static final Pattern SOURCE = Pattern.compile("\\s*at \\[Source: .*?\\]$|\\[Source: .*?; ");

  private JsonSyntax() {}

  /**
   * The message of {@code e} (a Jackson parse error, or Vert.x's {@code DecodeException} around
   * one), e.g. {@code unexpected character ('b'): was expecting double-quote to start field name,
   * at line 1, column 2}; any other exception's own message.
   */
  public static String message(Throwable e) {
    Throwable t = e;
    while (t != null && !(t instanceof JsonProcessingException)) {
      t = t.getCause();
    }
    if (!(t instanceof JsonProcessingException j)) {
      return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
    String m = j.getOriginalMessage() == null ? "not valid JSON" : j.getOriginalMessage();
    m = CODE.matcher(m).replaceAll("");
    m = START_MARKER.matcher(m).replaceAll(" (opened at line $1, column $2)");
    m = SOURCE.matcher(m).replaceAll("").strip();
    if (!m.isEmpty()) {
      m = Character.toLowerCase(m.charAt(0)) + m.substring(1);
    }
    JsonLocation at = j.getLocation();
    return at == null || at.getLineNr() < 1 ? m : m + ", at line " + at.getLineNr() + ", column " + at.getColumnNr();
  }
}
