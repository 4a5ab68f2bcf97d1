package dev.fanout.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class NewJobTest {

  @Test
  void a_missing_kind_and_a_bad_one_are_told_apart() {
    assertThatThrownBy(() -> NewJob.fromJson(new JsonObject()))
        .isInstanceOf(InvalidRequest.class).hasMessage("kind: is required: the job's kind, e.g. \"fetch\"");
    assertThatThrownBy(() -> NewJob.fromJson(new JsonObject().put("kind", "Bad Kind!")))
        .isInstanceOf(InvalidRequest.class).hasMessage("kind: must be 1 to 64 letters, digits, '.', '_' or '-'");
  }

  @Test
  void kind_and_queue_names() {
    assertThat(NewJob.isName("fetch")).isTrue();
    assertThat(NewJob.isName("a.b_c-9")).isTrue();
    assertThat(NewJob.isName("9")).isTrue();
    assertThat(NewJob.isName("x".repeat(64))).isTrue();
    assertThat(NewJob.isName("x".repeat(65))).isFalse();
    assertThat(NewJob.isName("")).isFalse();
    assertThat(NewJob.isName("-a")).isFalse();
    assertThat(NewJob.isName(".a")).isFalse();
    assertThat(NewJob.isName("a b")).isFalse();
    assertThat(NewJob.isName("a/b")).isFalse();
    assertThat(NewJob.isName("é")).isFalse();
    assertThatThrownBy(() -> NewJob.fromJson(new JsonObject().put("kind", "a b")))
        .isInstanceOf(InvalidRequest.class).hasMessageContaining("kind");
    assertThatThrownBy(() -> NewJob.fromJson(new JsonObject().put("kind", "k").put("queue", "_q")))
        .isInstanceOf(InvalidRequest.class).hasMessageContaining("queue");
  }

  @Test
  void run_at_is_parsed_and_a_bad_one_named() {
    String at = "2026-01-01T00:00:00Z";
    NewJob a = NewJob.fromJson(new JsonObject().put("kind", "k").put("runAt", at));
    NewJob b = NewJob.fromJson(new JsonObject().put("kind", "k").put("runAt", at));
    NewJob c = NewJob.fromJson(new JsonObject().put("kind", "k").put("runAt", "2026-01-01T00:00:01.5Z"));
    assertThat(a.runAt()).isEqualTo(Instant.parse(at)).isEqualTo(b.runAt());
    assertThat(c.runAt()).isEqualTo(Instant.parse("2026-01-01T00:00:01.500Z"));
    assertThatThrownBy(() -> NewJob.fromJson(new JsonObject().put("kind", "k").put("runAt", "tomorrow")))
        .isInstanceOf(InvalidRequest.class).hasMessageContaining("runAt");
  }
}
