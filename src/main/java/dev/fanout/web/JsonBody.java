package dev.fanout.web;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.fanout.bus.InvalidRequest;
import dev.fanout.bus.Json;
import dev.fanout.bus.JsonSyntax;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Locale;

/**
 * Request bodies as JSON, read exactly. The body is JSON whatever Content-Type says ({@code curl -d}
 * sends a form type), and numbers keep the value sent: a number a double cannot hold (1e400,
 * 0.10000000000000000001) stays a BigDecimal for validation to refuse, where Vert.x's own decoding
 * would make it Infinity or round it. A key given twice is refused rather than one value dropped.
 */
final class JsonBody {
  private JsonBody() {}

  /**
   * A {@link BodyHandler} with {@code limit} that never decodes a form: a form content type would
   * send the body through Netty's form decoder, which caps a field at 1 KiB and fails with no
   * message. The Content-Type is taken as JSON instead.
   */
  static Handler<RoutingContext> handler(long limit) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(limit);
    return ctx -> {
      String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
      if (type != null) {
        String t = type.toLowerCase(Locale.ROOT).trim();
        if (t.startsWith("application/x-www-form-urlencoded") || t.startsWith("multipart/")) {
          ctx.request().headers().set(HttpHeaders.CONTENT_TYPE, "application/json");
        }
      }
      body.handle(ctx);
    };
  }

  /**
   * The body as a JSON object; fails with {@link InvalidRequest} on field {@code body} when it is
   * missing, not JSON, or not an object ({@code hint} says what is expected).
   */
  static JsonObject object(Buffer buf, String hint) {
    if (buf == null || buf.length() == 0) {
      throw new InvalidRequest("body", "is required: " + hint);
    }
    Object value;
    try (JsonParser p = JacksonCodec.createParser(buf)) {
      p.nextToken();
      value = any(p, "");
      if (p.nextToken() != null) {
        throw new InvalidRequest("body", "is not valid JSON: text after the value at " + where(p));
      }
    } catch (StreamConstraintsException e) {
      throw new InvalidRequest("body", "is not JSON within limits: " + e.getOriginalMessage());
    } catch (IOException | DecodeException | NumberFormatException e) {
      throw new InvalidRequest("body", "is not valid JSON: " + message(e));
    }
    if (!(value instanceof JsonObject o)) {
      throw new InvalidRequest("body", "must be a JSON object: " + hint);
    }
    return o;
  }

  private static Object any(JsonParser p, String path) throws IOException {
    JsonToken t = p.currentToken();
    if (t == null) {
      throw new InvalidRequest("body", "is not valid JSON: it ends early");
    }
    return switch (t) {
      case START_OBJECT -> object(p, path);
      case START_ARRAY -> array(p, path);
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT -> p.getNumberValue();
      case VALUE_NUMBER_FLOAT -> decimal(p.getDecimalValue());
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      default -> throw new InvalidRequest("body", "is not valid JSON: unexpected " + t + " at " + where(p));
    };
  }

  private static JsonObject object(JsonParser p, String path) throws IOException {
    LinkedHashMap<String, Object> map = new LinkedHashMap<>();
    for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) {
      String at = path.isEmpty() ? key : path + "." + key;
      p.nextToken();
      Object v = any(p, at);
      if (map.containsKey(key)) {
        throw new InvalidRequest(at, "is given twice");
      }
      map.put(key, v);
    }
    return new JsonObject(map);
  }

  private static JsonArray array(JsonParser p, String path) throws IOException {
    JsonArray a = new JsonArray();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      a.add(any(p, path + "[" + a.size() + "]"));
    }
    return a;
  }

  /** A double when it reads back as the same number, else the exact value for validation to judge. */
  private static Number decimal(BigDecimal d) {
    return Json.fitsDouble(d) ? (Number) d.doubleValue() : d;
  }

  private static String where(JsonParser p) {
    return "line " + p.currentLocation().getLineNr() + ", column " + p.currentLocation().getColumnNr();
  }

  private static String message(Exception e) {
    return JsonSyntax.message(e);
  }
}
