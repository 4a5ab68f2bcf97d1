package dev.fanout.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A reply on the bus as a handler sends it, and what each kind of reply carries. */
@ExtendWith(VertxExtension.class)
class JobReplyBusTest {

  private static Future<Message<JsonObject>> answer(Vertx vertx, JobReply reply) {
    String address = "test.reply." + System.identityHashCode(reply);
    vertx.eventBus().<JsonObject>consumer(address, reply::replyTo);
    return vertx.eventBus().request(address, new JsonObject());
  }

  @Test
  void a_retry_is_a_failed_reply_with_code_500_and_the_error(Vertx vertx, VertxTestContext ctx) {
    answer(vertx, JobReply.retry("upstream down")).onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertThat(e).isInstanceOf(ReplyException.class);
      assertThat(((ReplyException) e).failureCode()).isEqualTo(500);
      assertThat(e.getMessage()).isEqualTo("upstream down");
      ctx.completeNow();
    })));
  }

  @Test
  void the_other_replies_are_their_json(Vertx vertx, VertxTestContext ctx) {
    answer(vertx, JobReply.snooze(Duration.ofMillis(40)))
        .compose(s -> answer(vertx, JobReply.cancel("gone")).compose(c -> answer(vertx,
                JobReply.complete(new JsonObject().put("n", 1)))
            .map(r -> new JsonObject().put("s", s.body()).put("c", c.body()).put("r", r.body()))))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          assertThat(all.getJsonObject("s")).isEqualTo(new JsonObject().put("snooze", 40L));
          assertThat(all.getJsonObject("c")).isEqualTo(new JsonObject().put("cancel", "gone"));
          assertThat(all.getJsonObject("r")).isEqualTo(new JsonObject().put("n", 1));
          ctx.completeNow();
        })));
  }

  @Test
  void each_kind_carries_only_its_own_part() {
    JobReply complete = JobReply.complete(new JsonObject().put("n", 1));
    assertThat(complete.kind()).isEqualTo(JobReply.Kind.COMPLETE);
    assertThat(complete.error()).isNull();
    assertThat(complete.reason()).isNull();
    assertThat(complete.delay()).isZero();
    JobReply retry = JobReply.retry("e");
    assertThat(retry.kind()).isEqualTo(JobReply.Kind.RETRY);
    assertThat(retry.result()).isNull();
    assertThat(retry.reason()).isNull();
    assertThat(retry.delayMs()).isZero();
    assertThat(JobReply.snooze(Duration.ofMillis(40)).delayMs()).isEqualTo(40);
    JobReply snooze = JobReply.snooze(Duration.ofMillis(-3));
    assertThat(snooze.delayMs()).isZero();
    assertThat(snooze.error()).isNull();
    assertThat(snooze.result()).isNull();
    JobReply cancel = JobReply.cancel("r");
    assertThat(cancel.error()).isNull();
    assertThat(cancel.result()).isEqualTo(new JsonObject().put("cancel", "r"));
    assertThatThrownBy(() -> JobReply.cancel(null)).isInstanceOf(NullPointerException.class);
    assertThat(JobReply.retry(null).error()).isNull();
  }

  @Test
  void a_reply_says_what_it_is_in_logs() {
    assertThat(JobReply.complete(new JsonObject().put("n", 1))).hasToString("complete {\"n\":1}");
    assertThat(JobReply.retry("e")).hasToString("retry: e");
    assertThat(JobReply.snooze(Duration.ofMillis(5))).hasToString("snooze 5 ms");
    assertThat(JobReply.cancel("r")).hasToString("cancel: r");
  }
}
