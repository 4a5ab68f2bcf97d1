package dev.fanout.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.ErrorKind;
import dev.fanout.bus.FetchResult;
import dev.fanout.testing.Conditions;
import dev.fanout.testing.Fetchers;
import dev.fanout.testing.TargetServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class RetryTest {
  private static final JsonObject FAST = Fetchers.fetch("backoffBaseMs", 10, "backoffMaxMs", 50);

  @Test
  void retries_503_then_succeeds(Vertx vertx, VertxTestContext ctx) {
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, FAST)
            .compose(id -> Fetchers.get(vertx, t.url("/seq?key=a&codes=503,502,200"))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.ok()).isTrue();
          assertThat(r.attempts()).isEqualTo(3);
          ctx.completeNow();
        })));
  }

  @Test
  void gives_up_after_retries_with_the_last_status(Vertx vertx, VertxTestContext ctx) {
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, FAST)
            .compose(id -> Fetchers.fetch(vertx,
                new JsonObject().put("url", t.url("/seq?key=b&codes=500")).put("retries", 3)))
            .map(r -> {
              ctx.verify(() -> {
                assertThat(r.ok()).isFalse();
                assertThat(r.status()).isEqualTo(500);
                assertThat(r.errorKind()).isEqualTo(ErrorKind.HTTP_STATUS);
                assertThat(r.attempts()).isEqualTo(4);
                assertThat(t.arrivals("b")).hasSize(4);
              });
              return r;
            }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void does_not_retry_404(Vertx vertx, VertxTestContext ctx) {
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, FAST)
            .compose(id -> Fetchers.get(vertx, t.url("/seq?key=c&codes=404,200")))
            .map(r -> {
              ctx.verify(() -> {
                assertThat(r.status()).isEqualTo(404);
                assertThat(r.attempts()).isEqualTo(1);
                assertThat(t.arrivals("c")).hasSize(1);
              });
              return r;
            }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void retries_connection_refused_then_reports_connect(Vertx vertx, VertxTestContext ctx) throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      closedPort = s.getLocalPort();
    }
    Fetchers.deploy(vertx, FAST)
        .compose(id -> Fetchers.fetch(vertx,
            new JsonObject().put("url", "http://127.0.0.1:" + closedPort + "/").put("retries", 2)))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.errorKind()).isEqualTo(ErrorKind.CONNECT);
          assertThat(r.attempts()).isEqualTo(3);
          assertThat(r.status()).isNull();
          ctx.completeNow();
        })));
  }

  @Test
  void retries_a_reset_mid_body(Vertx vertx, VertxTestContext ctx) {
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, FAST)
            .compose(id -> Fetchers.fetch(vertx,
                new JsonObject().put("url", t.url("/reset?after=100")).put("retries", 1))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.errorKind()).isEqualTo(ErrorKind.RESET);
          assertThat(r.attempts()).isEqualTo(2);
          ctx.completeNow();
        })));
  }

  @Test
  void honours_retry_after_seconds(Vertx vertx, VertxTestContext ctx) {
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, FAST)
            .compose(id -> Fetchers.get(vertx, t.url("/seq?key=ra&codes=429,200&ra=1")))
            .map(r -> {
              ctx.verify(() -> {
                assertThat(r.ok()).isTrue();
                assertThat(r.attempts()).isEqualTo(2);
                List<Long> at = t.arrivals("ra");
                assertThat((at.get(1) - at.get(0)) / 1_000_000).isGreaterThanOrEqualTo(990);
              });
              return r;
            }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void honours_retry_after_http_date(Vertx vertx, VertxTestContext ctx) {
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, FAST)
            .compose(id -> {
              // the date is made just before the fetch: a slow deploy must not eat into the pause
              ZonedDateTime until = ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(2).withNano(0);
              String enc = URLEncoder.encode(DateTimeFormatter.RFC_1123_DATE_TIME.format(until), StandardCharsets.UTF_8);
              return Fetchers.get(vertx, t.url("/seq?key=date&codes=503,200&ra=" + enc)).map(r -> {
                ctx.verify(() -> {
                  assertThat(r.ok()).isTrue();
                  List<Long> at = t.arrivals("date");
                  assertThat(at).hasSize(2);
                  // the contract: no retry before the date (wall clock; arrivals are nanoTime)
                  long wallNow = System.currentTimeMillis();
                  long nanoNow = System.nanoTime();
                  long secondAt = wallNow - (nanoNow - at.get(1)) / 1_000_000;
                  assertThat(secondAt).isGreaterThanOrEqualTo(until.toInstant().toEpochMilli() - 5);
                });
                return r;
              });
            }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void retry_after_beyond_the_cap_is_shortened_to_the_cap(Vertx vertx, VertxTestContext ctx) {
    // one rule: a Retry-After pauses the host and the fetch for at most fetch.retryAfterMaxMs
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, Fetchers.fetch("retryAfterMaxMs", 300))
            .compose(id -> Fetchers.get(vertx, t.url("/seq?key=cap&codes=429,200&ra=3600")))
            .map(r -> {
              ctx.verify(() -> {
                assertThat(r.ok()).isTrue();
                assertThat(r.attempts()).isEqualTo(2);
                List<Long> at = t.arrivals("cap");
                assertThat((at.get(1) - at.get(0)) / 1_000_000).isGreaterThanOrEqualTo(290);
              });
              return r;
            }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void retry_after_too_large_for_a_long_waits_the_cap_not_zero(Vertx vertx, VertxTestContext ctx) {
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, Fetchers.fetch("retryAfterMaxMs", 300))
            .compose(id -> Fetchers.get(vertx, t.url("/seq?key=huge&codes=503,200&ra=99999999999999999999")))
            .map(r -> {
              ctx.verify(() -> {
                assertThat(r.ok()).isTrue();
                assertThat(r.attempts()).isEqualTo(2);
                List<Long> at = t.arrivals("huge");
                assertThat((at.get(1) - at.get(0)) / 1_000_000).isGreaterThanOrEqualTo(290);
              });
              return r;
            }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void retry_after_longer_than_the_deadline_ends_the_fetch_with_its_status(Vertx vertx, VertxTestContext ctx) {
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, Fetchers.fetch("retryAfterMaxMs", 60_000))
            .compose(id -> Fetchers.fetch(vertx, new JsonObject()
                .put("url", t.url("/seq?key=dl&codes=429,200&ra=30")).put("deadlineMs", 2000))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.status()).isEqualTo(429);
          assertThat(r.attempts()).isEqualTo(1);
          ctx.completeNow();
        })));
  }

  @Test
  void retry_after_pauses_the_host_even_without_retries_left(Vertx vertx, VertxTestContext ctx) {
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, Fetchers.fetch("perHost", 1, "retries", 0))
            .compose(id -> {
              Future<FetchResult> first = Fetchers.get(vertx, t.url("/seq?key=nr&codes=503&ra=1"));
              return Conditions.until(vertx, () -> t.arrivals("nr").size() == 1, 5_000)
                  .compose(v -> Future.all(first, Fetchers.get(vertx, t.url("/ok?key=after"))));
            })
            .map(cf -> {
              ctx.verify(() -> {
                assertThat(cf.<FetchResult>resultAt(0).status()).isEqualTo(503);
                long paused = t.arrivals("after").get(0) - t.arrivals("nr").get(0);
                assertThat(paused / 1_000_000).isGreaterThanOrEqualTo(990);
              });
              return cf;
            }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void retry_after_pauses_the_whole_host(Vertx vertx, VertxTestContext ctx) {
    // perHost 1: the second fetch waits behind the first, so it is queued when the 503 arrives
    TargetServer.start(vertx).compose(t -> Fetchers.deploy(vertx, Fetchers.fetch("perHost", 1))
            .compose(id -> {
              Future<FetchResult> first = Fetchers.get(vertx, t.url("/seq?key=p&codes=503,200&ra=1"));
              return Conditions.until(vertx, () -> t.arrivals("p").size() == 1, 5_000)
                  .compose(v -> Future.all(first, Fetchers.get(vertx, t.url("/ok?key=other"))));
            })
            .map(cf -> {
              ctx.verify(() -> {
                long paused = t.arrivals("other").get(0) - t.arrivals("p").get(0);
                assertThat(paused / 1_000_000).isGreaterThanOrEqualTo(990);
              });
              return cf;
            }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void backoff_stays_within_its_capped_exponential_bounds() {
    RetryPolicy p = new RetryPolicy(100, 1000, 60_000);
    assertThat(p.ceilingMs(1)).isEqualTo(100);
    assertThat(p.ceilingMs(2)).isEqualTo(200);
    assertThat(p.ceilingMs(4)).isEqualTo(800);
    assertThat(p.ceilingMs(5)).isEqualTo(1000);
    assertThat(p.ceilingMs(80)).isEqualTo(1000);
    for (int retry = 1; retry <= 10; retry++) {
      for (int i = 0; i < 1000; i++) {
        assertThat(p.backoffMs(retry)).isBetween(0L, p.ceilingMs(retry));
      }
    }
  }

  @Test
  void parses_retry_after_forms() {
    long now = ZonedDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC).toInstant().toEpochMilli();
    assertThat(RetryPolicy.parseRetryAfter("120", now)).isEqualTo(120_000);
    assertThat(RetryPolicy.parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now)).isEqualTo(30_000);
    assertThat(RetryPolicy.parseRetryAfter("Wed, 31 Dec 2025 00:00:00 GMT", now)).isZero();
    assertThat(RetryPolicy.parseRetryAfter("soon", now)).isEqualTo(-1);
    assertThat(RetryPolicy.parseRetryAfter(null, now)).isEqualTo(-1);
  }
}
