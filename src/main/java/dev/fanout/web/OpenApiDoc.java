package dev.fanout.web;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /openapi.yaml}: the API's OpenAPI 3.1 description, {@code src/main/resources/openapi.yaml}.
 * Read once when the web verticle starts (asynchronously, from the class path), then answered from
 * memory: no file is touched per request, and the event loop never waits on a disk.
 */
final class OpenApiDoc implements Handler<RoutingContext> {
  /** The class-path resource, and the route that serves it. */
  static final String PATH = "openapi.yaml";
  /** RFC 9512's media type for YAML. */
  static final String MEDIA_TYPE = "application/yaml";

  private final Future<Buffer> doc;

  OpenApiDoc(Vertx vertx) {
    this.doc = vertx.fileSystem().readFile(PATH);
  }

  @Override
  public void handle(RoutingContext ctx) {
    // Complete long before the first request; a failed read (a broken build) is a 500 logged once per ask.
    doc.onComplete(ar -> {
      if (ar.failed()) {
        Problem.fail(ctx, ar.cause());
      } else if (BusCall.open(ctx)) {
        ctx.response().putHeader("Content-Type", MEDIA_TYPE).end(ar.result());
      }
    });
  }
}
