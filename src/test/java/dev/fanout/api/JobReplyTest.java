package dev.fanout.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The handler reply protocol of docs/jobs.md, as a type and as JSON. */
class JobReplyTest {

  @Test
  void the_wire_forms_are_those_the_docs_give() {
    assertThat(JobReply.snooze(Duration.ofSeconds(2)).toJson()).isEqualTo(new JsonObject().put("snooze", 2000L));
    assertThat(JobReply.cancel("no").toJson()).isEqualTo(new JsonObject().put("cancel", "no"));
    JsonObject result = new JsonObject().put("bytes", 3);
    assertThat(JobReply.complete(result).toJson()).isSameAs(result);
    assertThat(JobReply.complete(null).toJson()).isEqualTo(new JsonObject());
    assertThatThrownBy(() -> JobReply.retry("boom").toJson()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void only_the_exact_snooze_and_cancel_objects_are_read_as_such() {
    JobReply snooze = JobReply.fromJson(new JsonObject().put("snooze", 1500));
    assertThat(snooze.kind()).isEqualTo(JobReply.Kind.SNOOZE);
    assertThat(snooze.delay()).isEqualTo(Duration.ofMillis(1500));
    assertThat(JobReply.fromJson(new JsonObject().put("snooze", -5)).delayMs()).isZero();
    JobReply cancel = JobReply.fromJson(new JsonObject().put("cancel", "bad payload"));
    assertThat(cancel.kind()).isEqualTo(JobReply.Kind.CANCEL);
    assertThat(cancel.reason()).isEqualTo("bad payload");
    assertThat(cancel.result()).isEqualTo(new JsonObject().put("cancel", "bad payload"));
    // anything else is a result
    assertThat(JobReply.fromJson(new JsonObject().put("snooze", "soon")).kind()).isEqualTo(JobReply.Kind.COMPLETE);
    assertThat(JobReply.fromJson(new JsonObject().put("snooze", 1).put("x", 1)).kind())
        .isEqualTo(JobReply.Kind.COMPLETE);
    assertThat(JobReply.fromJson(new JsonObject().put("cancel", 1)).kind()).isEqualTo(JobReply.Kind.COMPLETE);
    assertThat(JobReply.fromJson(null).result()).isEqualTo(new JsonObject());
  }

  @Test
  void a_reply_read_back_from_its_json_is_the_same_reply() {
    for (JobReply r : new JobReply[] {JobReply.complete(new JsonObject().put("a", 1)),
        JobReply.snooze(Duration.ofMillis(7)), JobReply.cancel("why")}) {
      JobReply back = JobReply.fromJson(r.toJson());
      assertThat(back.kind()).isEqualTo(r.kind());
      assertThat(back.result()).isEqualTo(r.result());
      assertThat(back.delayMs()).isEqualTo(r.delayMs());
      assertThat(back.reason()).isEqualTo(r.reason());
    }
    assertThat(JobReply.retry("boom").error()).isEqualTo("boom");
  }
}
