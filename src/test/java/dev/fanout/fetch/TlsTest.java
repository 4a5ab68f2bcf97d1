package dev.fanout.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.ErrorKind;
import dev.fanout.testing.Fetchers;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class TlsTest {

  @Test
  void an_untrusted_certificate_is_a_tls_error(Vertx vertx, VertxTestContext ctx) {
    SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
    vertx.createHttpServer(new HttpServerOptions().setSsl(true).setKeyCertOptions(cert.keyCertOptions()))
        .requestHandler(req -> req.response().end("secret"))
        .listen(0, "127.0.0.1")
        .compose(server -> Fetchers.deploy(vertx, Fetchers.fetch("retries", 0))
            .compose(id -> Fetchers.get(vertx, "https://127.0.0.1:" + server.actualPort() + "/")))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.ok()).isFalse();
          assertThat(r.errorKind()).isEqualTo(ErrorKind.TLS);
          assertThat(r.bytes()).isZero();
          ctx.completeNow();
        })));
  }
}
