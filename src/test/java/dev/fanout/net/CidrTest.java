package dev.fanout.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {

  @Test
  void contains_the_addresses_of_its_block_and_family() {
    Cidr c = Cidr.parse("172.16.0.0/12");
    assertThat(c.contains(Ip.literal("172.31.255.255"))).isTrue();
    assertThat(c.contains(Ip.literal("172.32.0.0"))).isFalse();
    assertThat(c.contains(Ip.literal("::ffff:ac10:1"))).as("mapped reads as IPv4").isTrue();
    assertThat(Cidr.parse("fc00::/7").contains(Ip.literal("fdff::1"))).isTrue();
    assertThat(Cidr.parse("fc00::/7").contains(Ip.literal("fe00::1"))).isFalse();
    assertThat(Cidr.parse("0.0.0.0/0").contains(Ip.literal("::1"))).as("other family").isFalse();
    assertThat(Cidr.parse("[::1]").prefix()).isEqualTo(128);
    assertThat(Cidr.parse(" 10.0.0.1 ").prefix()).isEqualTo(32);
  }

  @Test
  void equal_blocks_are_equal_and_others_are_not() {
    assertThat(Cidr.parse("10.0.0.0/8")).isEqualTo(Cidr.parse("10.0.0.0/8"))
        .hasSameHashCodeAs(Cidr.parse("10.0.0.0/8"));
    assertThat(Cidr.parse("10.0.0.0/8")).isNotEqualTo(Cidr.parse("10.0.0.0/9"));
    assertThat(Cidr.parse("10.0.0.0/8")).isNotEqualTo(Cidr.parse("11.0.0.0/8"));
    assertThat(Cidr.parse("10.0.0.0/8")).isNotEqualTo("10.0.0.0/8");
    assertThat(Cidr.parse("::1").toString()).isEqualTo("0:0:0:0:0:0:0:1/128");
    assertThat(Cidr.parse("10.0.0.0/8").toString()).isEqualTo("10.0.0.0/8");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "localhost", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/x", "256.0.0.0/8",
      "10.0.0/8", "fe80::1%eth0/64"})
  void refuses_what_is_not_a_numeric_block(String text) {
    assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }
}
