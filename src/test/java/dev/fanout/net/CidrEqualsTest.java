package dev.fanout.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Address blocks: parsing, membership at every prefix length, and value equality. */
class CidrEqualsTest {

  private static byte[] ip(String a) throws Exception {
    return InetAddress.getByName(a).getAddress();
  }

  @Test
  void equal_blocks_are_equal_and_different_ones_are_not() {
    Cidr a = Cidr.parse("10.0.0.0/8");
    assertThat(a).isEqualTo(Cidr.parse(" 10.0.0.0/8 ")).hasSameHashCodeAs(Cidr.parse("10.0.0.0/8"));
    assertThat(a).isNotEqualTo(Cidr.parse("10.0.0.0/16"));
    assertThat(a).isNotEqualTo(Cidr.parse("11.0.0.0/8"));
    assertThat(a).isNotEqualTo(Cidr.parse("::a00:0/8"));
    assertThat(a).isNotEqualTo("10.0.0.0/8");
    assertThat(a).isNotEqualTo(null);
    assertThat(Cidr.parse("fc00::/7")).isEqualTo(Cidr.parse("[fc00::]/7"));
  }

  @Test
  void a_bare_address_is_a_block_of_one() throws Exception {
    Cidr one = Cidr.parse("192.0.2.7");
    assertThat(one.prefix()).isEqualTo(32);
    assertThat(one.contains(ip("192.0.2.7"))).isTrue();
    assertThat(one.contains(ip("192.0.2.6"))).isFalse();
    assertThat(Cidr.parse("::1").prefix()).isEqualTo(128);
    assertThat(one).hasToString("192.0.2.7/32");
  }

  @Test
  void membership_checks_whole_bytes_then_the_bits_of_a_partial_one() throws Exception {
    Cidr cgnat = Cidr.parse("100.64.0.0/10");
    assertThat(cgnat.contains(ip("100.64.0.0"))).isTrue();
    assertThat(cgnat.contains(ip("100.127.255.255"))).isTrue();
    assertThat(cgnat.contains(ip("100.63.255.255"))).isFalse();
    assertThat(cgnat.contains(ip("100.128.0.0"))).isFalse();
    assertThat(cgnat.contains(ip("101.64.0.0"))).isFalse();
    Cidr ula = Cidr.parse("fc00::/7");
    assertThat(ula.contains(ip("fdff::1"))).isTrue();
    assertThat(ula.contains(ip("fe00::1"))).isFalse();
    assertThat(ula.contains(ip("10.0.0.1"))).isFalse();
    assertThat(Cidr.parse("0.0.0.0/0").contains(ip("203.0.113.9"))).isTrue();
    assertThat(Cidr.parse("10.1.0.0/16").contains(ip("10.1.200.3"))).isTrue();
    assertThat(Cidr.parse("10.1.0.0/16").contains(ip("10.2.0.3"))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"example.com", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/x", "::/129", "1.2.3", "[::1", ""})
  void malformed_blocks_are_refused(String text) {
    assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }
}
