package dev.fanout.web;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.Json;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.RequestUtils;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.ResponseParameter;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.ValidatableResponseImpl;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test support: a loopback HTTP proxy in front of the real service that holds every exchange to
 * {@code openapi.yaml}. The request, as a real {@link HttpServerRequest}, goes through
 * vertx-openapi's {@link RequestValidator} (the operation found by path and method, as
 * vertx-web-openapi-router would); the service's real answer (status, headers, body) through its
 * {@link ResponseValidator}, its Content-Type held to the declared media types. Both outcomes are
 * recorded in the {@link Exchange}; the request is forwarded whatever its validation said, so the
 * service's own answer to bad input is seen too.
 */
final class ContractProxy {
  private static final String CALL = "x-contract-call";
  private static final Set<String> HOP = Set.of("host", "content-length", "transfer-encoding", "connection",
      "keep-alive", CALL);

  /**
   * One exchange.
   *
   * @param operationId the operation the request matched, or null (no such path or method)
   * @param requestError why the request does not match the description, or null
   * @param responseError why the response does not match the description, or null
   */
  record Exchange(String operationId, int status, MultiMap headers, Buffer body, String requestError,
      String responseError) {
    String contentType() {
      return headers.get("Content-Type");
    }
  }

  private final Vertx vertx;
  private final OpenAPIContract contract;
  private final int servicePort;
  private final HttpClient client;
  private final Map<String, Exchange> seen = new ConcurrentHashMap<>();
  private final AtomicLong calls = new AtomicLong();
  private HttpServer server;

  private ContractProxy(Vertx vertx, OpenAPIContract contract, int servicePort) {
    this.vertx = vertx;
    this.contract = contract;
    this.servicePort = servicePort;
    this.client = vertx.createHttpClient();
  }

  /** A proxy on a free loopback port in front of the service on {@code servicePort}. */
  static Future<ContractProxy> start(Vertx vertx, OpenAPIContract contract, int servicePort) {
    ContractProxy p = new ContractProxy(vertx, contract, servicePort);
    p.server = vertx.createHttpServer().requestHandler(p::handle);
    return p.server.listen(0, "127.0.0.1").map(s -> p);
  }

  /** Sends a request through the proxy; completes with the exchange as recorded. */
  Future<Exchange> send(HttpMethod method, String uri, MultiMap headers, Buffer body) {
    String id = Long.toString(calls.incrementAndGet());
    RequestOptions opts = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(server.actualPort())
        .setURI(uri).setHeaders(MultiMap.caseInsensitiveMultiMap().addAll(headers).set(CALL, id));
    // the body is asked for on send's own future, so on the stream's context (see StreamedFetchTest.post)
    return client.request(opts)
        .compose(req -> (body == null ? req.send() : req.send(body)).compose(HttpClientResponse::body))
        .map(b -> seen.remove(id));
  }

  /**
   * {@link #send} from a test's own thread, blocking it (the service runs on Vert.x's): a JSON
   * body ({@link JsonObject}, or any text as sent), a bearer {@code token} when not null.
   */
  Exchange call(String method, String uri, String token, Object body, String... headerPairs) throws Exception {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json");
    if (token != null) {
      headers.add("Authorization", "Bearer " + token);
    }
    for (int i = 0; i < headerPairs.length; i += 2) {
      headers.set(headerPairs[i], headerPairs[i + 1]);
    }
    Buffer b = body == null ? null : Buffer.buffer(body.toString());
    return send(HttpMethod.valueOf(method), uri, headers, b).toCompletionStage().toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
  }

  private void handle(HttpServerRequest req) {
    req.body().onSuccess(body -> {
      Operation op = contract.findOperation(req.path(), req.method());
      Future<String> checked = op == null
          ? Future.succeededFuture("no operation for " + req.method() + " " + req.path())
          : RequestUtils.extract(req, op, () -> Future.succeededFuture(body))
              .compose(v -> RequestValidator.create(vertx, contract).validate(v, op.getOperationId()))
              .map(v -> (String) null)
              .otherwise(Throwable::getMessage);
      checked.onComplete(ar -> forward(req, body, op, ar.result()));
    });
  }

  private void forward(HttpServerRequest req, Buffer body, Operation op, String requestError) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    req.headers().forEach(h -> {
      if (!HOP.contains(h.getKey().toLowerCase())) {
        headers.add(h.getKey(), h.getValue());
      }
    });
    RequestOptions opts = new RequestOptions().setMethod(req.method()).setHost("127.0.0.1").setPort(servicePort)
        .setURI(req.uri()).setHeaders(headers);
    client.request(opts).compose(out -> out.send(body)
            .compose(resp -> resp.body().compose(b -> check(op, resp, b)
                .map(err -> new Exchange(op == null ? null : op.getOperationId(), resp.statusCode(), resp.headers(),
                    b, requestError, err)))))
        .onSuccess(ex -> {
          seen.put(req.getHeader(CALL), ex);
          req.response().setStatusCode(ex.status()).end();
        })
        .onFailure(e -> req.response().setStatusCode(599).end(String.valueOf(e)));
  }

  /** Why the response does not match the description, or null. */
  private Future<String> check(Operation op, HttpClientResponse resp, Buffer body) {
    if (op == null) {
      return Future.succeededFuture("no operation");
    }
    String type = resp.getHeader("Content-Type");
    MediaType declared = type == null ? null : OpenApi.declared(op, resp.statusCode(), type);
    if (body.length() > 0 && declared == null) {
      return Future.succeededFuture("Content-Type " + type + " is not declared for " + resp.statusCode());
    }
    Map<String, ResponseParameter> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    // vertx-openapi 5.0 reads a header value as JSON first, and cannot read one with a quote in
    // it (Bearer realm="fanout") either way: such a value is given as the JSON string it is
    resp.headers().forEach(h -> headers.put(h.getKey(),
        new RequestParameterImpl(h.getValue().contains("\"") ? Json.encode(h.getValue()) : h.getValue())));
    ValidatableResponseImpl v = body.length() == 0
        ? new ValidatableResponseImpl(resp.statusCode(), headers)
        : new ValidatableResponseImpl(resp.statusCode(), headers, new RequestParameterImpl(body),
            OpenApi.loadable(type));
    return ResponseValidator.create(vertx, contract).validate(v, op.getOperationId())
        .map(ok -> (String) null)
        .otherwise(e -> String.valueOf(e.getMessage()));
  }
}
