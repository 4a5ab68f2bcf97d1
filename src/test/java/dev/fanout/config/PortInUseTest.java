package dev.fanout.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A port that is taken is told in one line naming the port and the setting, from Vert.x's real failure. */
@ExtendWith(VertxExtension.class)
class PortInUseTest {

  @Test
  void a_taken_port_names_the_port_and_the_setting(Vertx vertx, VertxTestContext ctx) throws Exception {
    ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
    int port = taken.getLocalPort();
    vertx.createHttpServer().requestHandler(r -> r.response().end()).listen(port, "127.0.0.1")
        .recover(e -> PortInUse.explain(e, "http.port", "FANOUT_HTTP_PORT", "127.0.0.1", port))
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          taken.close();
          assertThat(e).isInstanceOf(ConfigException.class);
          assertThat(e.getMessage()).isEqualTo("config http.port: port " + port + " on 127.0.0.1 is in use by another "
              + "program: stop it, or choose another port with http.port (FANOUT_HTTP_PORT)");
          ctx.completeNow();
        })));
  }

  @Test
  void another_failure_is_left_as_it_is(Vertx vertx, VertxTestContext ctx) {
    IllegalStateException other = new IllegalStateException("something else");
    PortInUse.<Void>explain(other, "http.port", "FANOUT_HTTP_PORT", "127.0.0.1", 1)
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertThat(e).isSameAs(other);
          ctx.completeNow();
        })));
  }
}
