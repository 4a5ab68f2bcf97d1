package dev.fanout.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class JobsTest {

  @Test
  void iso_matches_instant_to_string() {
    SplittableRandom random = new SplittableRandom(42);
    long from = Instant.parse("0900-01-01T00:00:00Z").getEpochSecond();
    long to = Instant.parse("+10001-01-01T00:00:00Z").getEpochSecond();
    int[] nanos = {0, 1, 999, 1000, 120_000, 123_456_000, 5_000_000, 999_999_999};
    for (int i = 0; i < 20_000; i++) {
      Instant at = Instant.ofEpochSecond(random.nextLong(from, to), nanos[i % nanos.length]);
      assertThat(Jobs.iso(at)).isEqualTo(at.toString());
    }
    assertThat(Jobs.iso(Instant.EPOCH)).isEqualTo("1970-01-01T00:00:00Z");
    assertThat(Jobs.iso(Instant.parse("2026-11-29T20:09:10.123456Z"))).isEqualTo("2026-11-29T20:09:10.123456Z");
  }
}
