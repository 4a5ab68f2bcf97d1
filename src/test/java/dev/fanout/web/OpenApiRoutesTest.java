package dev.fanout.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.testing.Fetchers;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.junit5.VertxExtension;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.OpenAPIVersion;
import io.vertx.openapi.contract.Operation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code openapi.yaml} against the code: it is valid OpenAPI 3.1, it describes every route the web
 * verticle's router has (admin routes on) and nothing it does not route, each operation asks for
 * the scope {@link Access} enforces, and its problem types are {@link Problem}'s.
 */
@ExtendWith(VertxExtension.class)
class OpenApiRoutesTest {
  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  void the_served_description_is_valid_openapi_3_1(Vertx vertx) throws Exception {
    JsonObject raw = await(OpenApi.raw(vertx));
    assertThat(raw.getString("openapi")).startsWith("3.1.");
    // unchanged (its real media types), against the OpenAPI 3.1 schema vertx-openapi carries
    SchemaRepository repo = await(OpenAPIVersion.V3_1.getRepository(vertx, "app://"));
    OutputUnit out = await(OpenAPIVersion.V3_1.validateContract(vertx, repo, raw));
    assertThat(out.getValid()).as("%s", out.getErrors()).isTrue();
    // and resolved, every $ref found, as a contract the validators use
    OpenAPIContract contract = await(OpenApi.contract(vertx));
    assertThat(contract.getVersion()).isEqualTo(OpenAPIVersion.V3_1);
    assertThat(contract.operations()).hasSizeGreaterThanOrEqualTo(18);
  }

  @Test
  void every_route_is_described_and_every_described_operation_is_routed(Vertx vertx) throws Exception {
    WebVerticle web = new WebVerticle();
    JsonObject cfg = Fetchers.config(new JsonObject().put("http", new JsonObject().put("port", 0))
        .put("admin", new JsonObject().put("enabled", true)));
    await(vertx.deployVerticle(web, new DeploymentOptions().setConfig(cfg)));
    Set<String> routed = routed(web);
    Set<String> described = new TreeSet<>();
    await(OpenApi.contract(vertx)).operations().forEach(op -> described.add(key(op)));

    Set<String> undescribed = new TreeSet<>(routed);
    undescribed.removeIf(r -> described.contains(r) || wildcardCovers(r, described));
    assertThat(undescribed).as("routes that openapi.yaml does not describe (add them to it)").isEmpty();
    Set<String> unrouted = new TreeSet<>(described);
    unrouted.removeIf(d -> routed.contains(d) || routed.stream().anyMatch(r -> wildcardCovers(r, Set.of(d))));
    assertThat(unrouted).as("operations openapi.yaml describes that no route serves").isEmpty();
  }

  @Test
  void each_operation_asks_the_scope_the_door_enforces(Vertx vertx) throws Exception {
    OpenAPIContract contract = await(OpenApi.contract(vertx));
    JsonArray global = contract.getRawContract().getJsonArray("security");
    for (Operation op : contract.operations()) {
      JsonArray security = op.getOpenAPIModel().getJsonArray("security", global);
      Set<String> scopes = new TreeSet<>();
      boolean anonymous = security.isEmpty();
      for (Object requirement : security) {
        JsonObject r = (JsonObject) requirement;
        anonymous |= r.isEmpty();
        r.getJsonArray("bearer", new JsonArray()).forEach(s -> scopes.add((String) s));
      }
      String path = op.getOpenAPIPath();
      String what = key(op);
      if (Access.alwaysOpen(path)) {
        assertThat(security).as(what + " is always open").isEmpty();
      } else if (path.startsWith("/health/") || path.equals("/metrics")) {
        assertThat(anonymous).as(what + " may be open (api.openHealth, api.openMetrics)").isTrue();
        assertThat(scopes).as(what).containsExactly("read");
      } else {
        assertThat(anonymous).as(what + " needs a token when tokens are set").isFalse();
        assertThat(scopes).as(what).containsExactly(Access.scope(op.getHttpMethod(), path).label());
      }
    }
  }

  @Test
  void the_problem_types_are_those_problem_sends(Vertx vertx) throws Exception {
    String source = Files.readString(Path.of("src/main/java/dev/fanout/web/Problem.java"));
    Matcher m = Pattern.compile("send\\(ctx, (\\d{3}), \"([a-z-]+)\"").matcher(source);
    TreeMap<String, Integer> sent = new TreeMap<>();
    while (m.find()) {
      sent.put("https://fanout.dev/problems/" + m.group(2), Integer.parseInt(m.group(1)));
    }
    assertThat(sent).hasSizeGreaterThanOrEqualTo(12);
    JsonObject raw = await(OpenApi.raw(vertx));
    JsonArray types = raw.getJsonObject("components").getJsonObject("schemas").getJsonObject("Problem")
        .getJsonObject("properties").getJsonObject("type").getJsonArray("enum");
    assertThat(new TreeSet<>(types.getList())).isEqualTo(sent.keySet());
    String description = raw.getJsonObject("info").getString("description");
    sent.forEach((type, status) -> assertThat(description)
        .as("info.description's problem table lists " + type)
        .contains("| `" + type.substring(type.lastIndexOf('/') + 1) + "` | " + status + " |"));
  }

  /** {@code "GET /v1/jobs/{id}"} for every method of every route with a path; a wildcard ends in {@code *}. */
  private static Set<String> routed(WebVerticle web) {
    Set<String> out = new TreeSet<>();
    for (Route r : web.routes()) {
      if (r.getPath() == null || r.methods() == null || r.methods().isEmpty()) {
        continue; // handlers every request passes (the door, logs, deadlines), or a pure regex: not operations
      }
      String path = r.getPath().replaceAll(":([A-Za-z0-9_]+)", "{$1}") + (r.isExactPath() ? "" : "*");
      for (HttpMethod m : r.methods()) {
        out.add(m.name() + " " + path);
      }
    }
    return out;
  }

  private static String key(Operation op) {
    return op.getHttpMethod().name() + " " + op.getOpenAPIPath();
  }

  /** A wildcard route ({@code GET /ui/*}) is described by any templated path under its prefix. */
  private static boolean wildcardCovers(String route, Set<String> described) {
    if (!route.endsWith("*")) {
      return false;
    }
    String prefix = route.substring(0, route.length() - 1);
    return described.stream().anyMatch(d -> d.startsWith(prefix) && d.contains("{"));
  }
}
