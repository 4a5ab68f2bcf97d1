package dev.fanout.web;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Response;
import io.vertx.openapi.impl.Utils;
import java.util.Locale;
import java.util.Map;

/**
 * Test support: {@code openapi.yaml} as vertx-openapi can check against. vertx-openapi 5.0.x
 * refuses a contract with a media type outside its short list (application/json, text/plain, ...;
 * custom types came in 5.1), so the contract the validators load is the served one with each
 * other media type renamed: {@code application/problem+json} to {@code application/json} (its
 * schema still checked), the rest (NDJSON, YAML, HTML, SSE, Prometheus text) to {@code text/plain}
 * as binary (not parsed), their schema kept aside as {@code x-schema} (NDJSON lines are checked
 * against it). Each renamed
 * entry keeps its real type as {@code x-media-type}, so a response's real Content-Type is still
 * held to what the description declares ({@link #declared}). The served file itself is checked
 * unchanged against the OpenAPI 3.1 schema by {@code OpenApiRoutesTest}.
 */
final class OpenApi {
  static final String REAL = "x-media-type";
  static final String SCHEMA = "x-schema";
  private static final String JSON = "application/json";
  private static final String TEXT = "text/plain";

  private OpenApi() {}

  /** The served description, parsed (as vertx-openapi parses YAML). */
  static Future<JsonObject> raw(Vertx vertx) {
    return vertx.fileSystem().readFile(OpenApiDoc.PATH).compose(b -> Utils.yamlStringToJson(b.toString()));
  }

  /** The description, adapted ({@link #adapt}) and resolved by vertx-openapi as a 3.1 contract. */
  static Future<OpenAPIContract> contract(Vertx vertx) {
    return raw(vertx).compose(raw -> OpenAPIContract.from(vertx, adapt(raw.copy())));
  }

  /** Renames, in place, every media type vertx-openapi 5.0 cannot load; returns {@code doc}. */
  static JsonObject adapt(JsonObject doc) {
    for (Map.Entry<String, Object> e : doc) {
      if (e.getKey().equals("content") && e.getValue() instanceof JsonObject content) {
        adaptContent(content);
      } else if (e.getValue() instanceof JsonObject o) {
        adapt(o);
      } else if (e.getValue() instanceof JsonArray a) {
        a.forEach(v -> {
          if (v instanceof JsonObject o) {
            adapt(o);
          }
        });
      }
    }
    return doc;
  }

  private static void adaptContent(JsonObject content) {
    for (String type : content.fieldNames().toArray(String[]::new)) {
      String to = loadable(type);
      if (to.equals(type)) {
        continue;
      }
      if (content.containsKey(to)) {
        throw new IllegalStateException("two media types of one response would both read as " + to);
      }
      JsonObject media = (JsonObject) content.remove(type);
      media.put(REAL, type);
      if (to.equals(TEXT)) {
        // kept aside; "binary" is how vertx-openapi 5.0 takes a body it must not parse
        media.put(SCHEMA, media.remove("schema"));
        media.put("schema", new JsonObject().put("type", "string").put("format", "binary"));
      }
      content.put(to, media);
    }
  }

  /** The media type a real one is loaded (and validated) as. */
  static String loadable(String type) {
    String base = base(type);
    if (base.equals(JSON)) {
      return JSON;
    }
    return base.equals("application/problem+json") ? JSON : TEXT;
  }

  /** A Content-Type without parameters, lowercased. */
  static String base(String contentType) {
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
  }

  /**
   * The media type entry the description has for {@code contentType} in {@code op}'s
   * {@code status} response, or null when it declares no such type there.
   */
  static MediaType declared(Operation op, int status, String contentType) {
    Response r = op.getResponse(status) != null ? op.getResponse(status) : op.getDefaultResponse();
    if (r == null) {
      return null;
    }
    MediaType m = r.getContent().get(loadable(contentType));
    if (m == null) {
      return null;
    }
    String real = m.getOpenAPIModel().getString(REAL, JSON);
    return real.equals(base(contentType)) ? m : null;
  }
}
