package dev.fanout.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.ErrorKind;
import dev.fanout.bus.FetchResult;
import dev.fanout.testing.Fetchers;
import dev.fanout.testing.TargetServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The SSRF policy end to end: every form is blocked and the target sees no connection. */
@ExtendWith(VertxExtension.class)
class EgressTest {
  private static final JsonObject DEFAULT_POLICY = new JsonObject()
      .put("egress", new JsonObject().put("allow", new JsonArray()))
      .put("fetch", new JsonObject().put("retries", 0));

  @Test
  void every_loopback_and_private_form_is_blocked_without_a_connection(Vertx vertx, VertxTestContext ctx) {
    TargetServer.start(vertx).compose(t -> {
      int p = t.port();
      List<String> urls = List.of(
          "http://127.0.0.1:" + p + "/ok", "http://127.1:" + p + "/ok", "http://2130706433:" + p + "/ok",
          "http://0x7f.1:" + p + "/ok", "http://0177.0.0.1:" + p + "/ok", "http://0x7f000001:" + p + "/ok",
          "http://[::1]:" + p + "/ok", "http://[::ffff:127.0.0.1]:" + p + "/ok", "http://[::ffff:7f00:1]:" + p + "/ok",
          "http://[64:ff9b::7f00:1]:" + p + "/ok", "http://[2002:7f00:1::]:" + p + "/ok",
          "http://[::127.0.0.1]:" + p + "/ok",
          "http://0.0.0.0:" + p + "/ok", "http://0:" + p + "/ok", "http://localhost:" + p + "/ok",
          "http://%31%32%37.0.0.1:" + p + "/ok", "http://127.0.0.1.:" + p + "/ok",
          "http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/", "http://100.64.0.1/",
          "http://100.100.100.200/", "http://10.0.0.1/", "http://172.16.0.1/", "http://192.168.0.1/",
          "http://[fe80::1]/", "http://[fc00::1]/", "http://224.0.0.1/", "http://255.255.255.255/",
          "http://168.63.129.16/", "http://[::]/", "http://[ff02::1]/");
      return Fetchers.deploy(vertx, DEFAULT_POLICY)
          .compose(id -> all(vertx, urls))
          .map(rs -> {
            ctx.verify(() -> {
              for (int i = 0; i < urls.size(); i++) {
                assertThat(rs.get(i).errorKind()).as(urls.get(i)).isEqualTo(ErrorKind.BLOCKED);
              }
              assertThat(t.connections()).isZero();
              assertThat(t.requests()).isZero();
            });
            return rs;
          });
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void a_redirect_to_a_denied_address_is_blocked_at_that_hop(Vertx vertx, VertxTestContext ctx) {
    TargetServer.start(vertx).compose(t -> {
      String[] targets = {"http://127.0.0.2:" + t.port() + "/ok", "http://[::1]:" + t.port() + "/ok",
          "http://169.254.169.254/"};
      List<String> urls = new ArrayList<>();
      for (String target : targets) {
        urls.add(t.url("/to?url=" + URLEncoder.encode(target, StandardCharsets.UTF_8)));
      }
      // Only 127.0.0.1 is allowed (the test default): the first hop goes through, the second must not.
      return Fetchers.deploy(vertx, new JsonObject())
          .compose(id -> all(vertx, urls))
          .map(rs -> {
            ctx.verify(() -> {
              assertThat(rs).allSatisfy(r -> {
                assertThat(r.errorKind()).isEqualTo(ErrorKind.BLOCKED);
                assertThat(r.redirects()).isEqualTo(1);
              });
              assertThat(t.requests()).isEqualTo(targets.length);
              assertThat(t.arrivals("/ok")).isEmpty();
            });
            return rs;
          });
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void an_allowed_block_is_fetched(Vertx vertx, VertxTestContext ctx) {
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx,
            new JsonObject().put("egress", new JsonObject().put("allow", "127.0.0.0/8")))
        .compose(id -> all(vertx, List.of(t.url("/ok"), "http://127.1:" + t.port() + "/ok",
            "http://[::ffff:127.0.0.1]:" + t.port() + "/ok"))))
        .onComplete(ctx.succeeding(rs -> ctx.verify(() -> {
          assertThat(rs).allMatch(FetchResult::ok);
          ctx.completeNow();
        })));
  }

  private static Future<List<FetchResult>> all(Vertx vertx, List<String> urls) {
    List<JsonObject> specs = new ArrayList<>();
    urls.forEach(u -> specs.add(new JsonObject().put("url", u)));
    return Fetchers.all(vertx, specs);
  }
}
