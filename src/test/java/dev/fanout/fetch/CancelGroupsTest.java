package dev.fanout.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.FetchSpec;
import dev.fanout.testing.Fetchers;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** A fetcher's cancel groups: a cancel ends the group's live fetches and those that arrive after it. */
class CancelGroupsTest {
  private static final long MINUTE = 60_000_000_000L;
  private static final FetchSpec.Options OPTIONS = Fetchers.defaults(new JsonObject());

  private static FetchTask task(String group) {
    return new FetchTask(FetchSpec.of("http://a.example/", OPTIONS).inGroup(group), 0);
  }

  @Test
  void a_cancel_returns_the_live_fetches_of_its_group_only() {
    CancelGroups groups = new CancelGroups();
    FetchTask a1 = task("a");
    FetchTask a2 = task("a");
    FetchTask b = task("b");
    groups.add(a1);
    groups.add(a2);
    groups.add(b);
    assertThat(groups.cancel("a", 0)).containsExactlyInAnyOrder(a1, a2);
    assertThat(groups.cancelled("a")).isTrue();
    assertThat(groups.cancelled("b")).isFalse();
    assertThat(groups.cancel("b", 0)).containsExactly(b);
  }

  @Test
  void a_fetch_that_ended_is_not_cancelled_again() {
    CancelGroups groups = new CancelGroups();
    FetchTask a1 = task("a");
    FetchTask a2 = task("a");
    groups.add(a1);
    groups.add(a2);
    groups.remove(a1);
    assertThat(groups.cancel("a", 0)).containsExactly(a2);
    assertThat(groups.cancel("a", 1)).isEmpty();
  }

  @Test
  void fetches_without_a_group_or_not_counted_are_forgotten_quietly() {
    CancelGroups groups = new CancelGroups();
    groups.remove(new FetchTask(FetchSpec.of("http://a.example/", OPTIONS), 0));
    groups.remove(task("never-added"));
    FetchTask a = task("a");
    groups.add(a);
    groups.remove(task("a")); // another fetch of the group, never counted: a stays
    assertThat(groups.cancel("a", 0)).containsExactly(a);
  }

  @Test
  void a_group_whose_last_fetch_ended_can_be_counted_again() {
    CancelGroups groups = new CancelGroups();
    FetchTask a1 = task("a");
    groups.add(a1);
    groups.remove(a1);
    FetchTask a2 = task("a");
    groups.add(a2);
    assertThat(groups.cancel("a", 0)).containsExactly(a2);
  }

  @Test
  void a_cancel_is_remembered_for_ten_minutes() {
    CancelGroups groups = new CancelGroups();
    groups.cancel("old", 0);
    groups.cancel("newer", 5 * MINUTE);
    groups.cancel("now", 10 * MINUTE - 1);
    assertThat(groups.cancelled("old")).isTrue();
    groups.cancel("later", 10 * MINUTE);
    assertThat(groups.cancelled("old")).isFalse();
    assertThat(groups.cancelled("newer")).isTrue();
    assertThat(groups.cancelled("now")).isTrue();
    assertThat(groups.cancelled("later")).isTrue();
  }

  @Test
  void at_most_100000_cancels_are_remembered_the_oldest_forgotten_first() {
    CancelGroups groups = new CancelGroups();
    for (int i = 0; i < 100_000; i++) {
      groups.cancel("g" + i, i);
    }
    assertThat(groups.cancelled("g0")).isTrue();
    groups.cancel("g100000", 100_000);
    assertThat(groups.cancelled("g0")).isFalse();
    assertThat(groups.cancelled("g1")).isTrue();
    assertThat(groups.cancelled("g100000")).isTrue();
  }
}
