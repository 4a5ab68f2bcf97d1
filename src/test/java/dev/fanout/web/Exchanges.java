package dev.fanout.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.web.ContractProxy.Exchange;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.OpenAPIContract;

/** Test support: assertions on {@link Exchange}s against {@code openapi.yaml}. */
final class Exchanges {
  private Exchanges() {}

  /** A described success: the status, and request and response as the description has them. */
  static JsonObject ok(Exchange e, int status) {
    assertThat(e.status()).as("%s %s", e.operationId(), e.body()).isEqualTo(status);
    assertThat(e.requestError()).as("the request of %s", e.operationId()).isNull();
    assertThat(e.responseError()).as("the response of %s: %s", e.operationId(), e.body()).isNull();
    boolean json = e.body().length() > 0 && OpenApi.loadable(e.contentType()).equals("application/json");
    return json ? e.body().toJsonObject() : null;
  }

  /**
   * A described problem naming {@code field} (or none when null). {@code specRefuses}: whether
   * the description also refuses the request (so both agree it is bad input), or null when the
   * description cannot say (a URL's scheme, a state only the database knows).
   */
  static JsonObject problem(Exchange e, int status, String field, Boolean specRefuses) {
    assertThat(e.status()).as("%s %s", e.operationId(), e.body()).isEqualTo(status);
    assertThat(OpenApi.base(e.contentType())).isEqualTo(Problem.TYPE);
    assertThat(e.responseError()).as("the problem of %s: %s", e.operationId(), e.body()).isNull();
    JsonObject p = e.body().toJsonObject();
    assertThat(p.getString("field")).as("%s", p).isEqualTo(field);
    if (specRefuses != null) {
      assertThat(e.requestError() != null).as("openapi.yaml refuses it too: %s (%s)", e.requestError(), p)
          .isEqualTo(specRefuses);
    }
    return p;
  }

  /** A problem no operation describes (no such path, or method): held to the {@code Problem} schema. */
  static JsonObject routeProblem(OpenAPIContract contract, Exchange e, int status, String field) {
    assertThat(e.operationId()).isNull();
    assertThat(e.status()).isEqualTo(status);
    assertThat(OpenApi.base(e.contentType())).isEqualTo(Problem.TYPE);
    JsonObject problem = e.body().toJsonObject();
    JsonObject schema = contract.getRawContract().getJsonObject("components").getJsonObject("schemas")
        .getJsonObject("Problem");
    OutputUnit out = contract.getSchemaRepository().validator(JsonSchema.of(schema)).validate(problem);
    assertThat(out.getValid()).as("%s: %s", problem, out.getErrors()).isTrue();
    assertThat(problem.getString("field")).isEqualTo(field);
    return problem;
  }

  /** Whether {@code value} matches {@code schema} (a schema of the resolved contract). */
  static OutputUnit check(OpenAPIContract contract, JsonObject schema, Object value) {
    return contract.getSchemaRepository().validator(JsonSchema.of(schema)).validate(value);
  }
}
