package dev.fanout.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What outcome writes do before and around PostgreSQL: NUL made storable, victims written again. */
class OutcomesTest {

  @Test
  void json_without_nul_is_stored_as_given() {
    JsonObject json = new JsonObject().put("a", "x").put("n", 1).put("b", true).putNull("z")
        .put("o", new JsonObject().put("k", "v")).put("l", new JsonArray().add("x").add(2).add(new JsonArray()));
    assertThat(Outcomes.withoutNul(json)).isSameAs(json);
    assertThat(Outcomes.withoutNul(null)).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"\0", "\0ab", "a\0b", "ab\0"})
  void a_nul_anywhere_in_a_string_becomes_a_replacement_character(String s) {
    JsonObject json = new JsonObject().put("before", "x").put("s", s).put("after", 1);
    JsonObject out = Outcomes.withoutNul(json);
    assertThat(out.getString("s")).isEqualTo(s.replace('\0', '\uFFFD'));
    assertThat(out.getString("before")).isEqualTo("x");
    assertThat(out.getInteger("after")).isEqualTo(1);
    assertThat(out.fieldNames()).containsExactly("before", "s", "after");
  }

  @Test
  void a_nul_in_a_key_becomes_a_replacement_character() {
    JsonObject out = Outcomes.withoutNul(new JsonObject().put("ok", 1).put("k\0", "v"));
    assertThat(out).isEqualTo(new JsonObject().put("ok", 1).put("k\uFFFD", "v"));
  }

  @Test
  void a_nul_deep_in_objects_and_arrays_is_found_and_replaced() {
    JsonObject json = new JsonObject().put("a", new JsonArray().add(1).add("x")
        .add(new JsonObject().put("b", new JsonArray().add("ok").add("y\0"))));
    JsonObject out = Outcomes.withoutNul(json);
    assertThat(out).isEqualTo(new JsonObject().put("a", new JsonArray().add(1).add("x")
        .add(new JsonObject().put("b", new JsonArray().add("ok").add("y\uFFFD")))));
    assertThat(json.getJsonArray("a").getJsonObject(2).getJsonArray("b").getString(1)).isEqualTo("y\0");
  }

  @Test
  void plain_maps_and_lists_inside_json_are_searched_and_replaced_too() {
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("fine", "x");
    inner.put("bad", "\0");
    List<Object> list = new ArrayList<>(List.of("x", "y\0"));
    Map<String, Object> top = new LinkedHashMap<>();
    top.put("m", inner);
    top.put("l", list);
    JsonObject out = Outcomes.withoutNul(new JsonObject(top));
    assertThat(out.getJsonObject("m")).isEqualTo(new JsonObject().put("fine", "x").put("bad", "\uFFFD"));
    assertThat(out.getJsonArray("l")).isEqualTo(new JsonArray().add("x").add("y\uFFFD"));
    Map<String, Object> keyOnly = new LinkedHashMap<>();
    keyOnly.put("m", Map.of("k\0", 1));
    assertThat(Outcomes.withoutNul(new JsonObject(keyOnly)).getJsonObject("m").getInteger("k\uFFFD")).isEqualTo(1);
    List<Object> nested = List.of(List.of("a"), List.of("b\0"));
    assertThat(Outcomes.withoutNul(new JsonObject().put("n", nested)).getJsonArray("n"))
        .isEqualTo(new JsonArray().add(new JsonArray().add("a")).add(new JsonArray().add("b\uFFFD")));
    JsonObject clean = new JsonObject().put("n", List.of(List.of("a"), 2)).put("m", Map.of("k", "v"));
    assertThat(Outcomes.withoutNul(clean)).isSameAs(clean);
  }

  @Test
  void nothing_to_write_is_written_without_a_statement() {
    Future<Integer> n = new Outcomes(null).write(Outcomes.Kind.COMPLETE, List.of());
    assertThat(n.succeeded()).isTrue();
    assertThat(n.result()).isZero();
  }

  private static Future<String> victimThen(AtomicInteger calls, int victims, String state) {
    return calls.incrementAndGet() <= victims
        ? Future.failedFuture(new PgException("victim", "ERROR", state, null))
        : Future.succeededFuture("written");
  }

  @ParameterizedTest
  @ValueSource(strings = {"40P01", "40001"})
  void a_deadlock_or_serialization_victim_is_written_again(String state) {
    AtomicInteger calls = new AtomicInteger();
    Future<String> f = Outcomes.retry(() -> victimThen(calls, 2, state), 3);
    assertThat(f.result()).isEqualTo("written");
    assertThat(calls).hasValue(3);
  }

  @Test
  void a_victim_every_time_fails_after_the_tries_given() {
    AtomicInteger calls = new AtomicInteger();
    Future<String> f = Outcomes.retry(() -> victimThen(calls, 5, "40P01"), 3);
    assertThat(f.failed()).isTrue();
    assertThat(calls).hasValue(3);
    AtomicInteger once = new AtomicInteger();
    assertThat(Outcomes.retry(() -> victimThen(once, 5, "40P01"), 1).failed()).isTrue();
    assertThat(once).hasValue(1);
  }

  @Test
  void other_failures_are_not_written_again() {
    AtomicInteger calls = new AtomicInteger();
    assertThat(Outcomes.retry(() -> victimThen(calls, 5, "23505"), 3).cause()).isInstanceOf(PgException.class);
    assertThat(calls).hasValue(1);
    AtomicInteger nullState = new AtomicInteger();
    assertThat(Outcomes.retry(() -> victimThen(nullState, 5, null), 3).failed()).isTrue();
    assertThat(nullState).hasValue(1);
    AtomicInteger other = new AtomicInteger();
    Future<String> f = Outcomes.retry(() -> {
      other.incrementAndGet();
      return Future.failedFuture(new IllegalStateException("closed"));
    }, 3);
    assertThat(f.cause()).hasMessage("closed");
    assertThat(other).hasValue(1);
  }
}
