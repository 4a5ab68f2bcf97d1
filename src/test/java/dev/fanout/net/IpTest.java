package dev.fanout.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpTest {

  @ParameterizedTest
  @CsvSource({
      "0:0:0:0:0:0:0:1, ::1",
      "0:0:0:0:0:0:0:0, ::",
      "2001:DB8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
      "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
      "1:0:0:2:0:0:0:3, 1:0:0:2::3",
      "fe80:0:0:0:0:0:0:0, fe80::",
      "10.1.2.3, 10.1.2.3",
  })
  void text_is_rfc_5952(String address, String text) throws Exception {
    assertThat(Ip.text(InetAddress.getByName(address))).isEqualTo(text);
  }

  @Test
  void literals_are_numeric_only() {
    assertThat(Ip.literal("10.1.2.3")).containsExactly(10, 1, 2, 3);
    assertThat(Ip.literal("::1")).hasSize(16).endsWith(0, 1);
    assertThat(Ip.literal("::ffff:127.0.0.1")).as("mapped reads as IPv4").containsExactly(127, 0, 0, 1);
    assertThat(Ip.literal("64:ff9b::10.0.0.1")).hasSize(16).endsWith(10, 0, 0, 1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "localhost", "256.1.1.1", "1.2.3", "1.2.3.4.5", "fe80::1%eth0", "fe80::1%1", "1::2::3",
      "::1.2.3", "g::1", "[::1]", "1.2.3.4:"})
  void anything_else_is_no_literal(String text) {
    assertThat(Ip.literal(text)).as(text).isNull();
  }

  @Test
  void ipv6_maps_mapped_forms_to_ipv4() {
    assertThat(Ip.ipv6("::FFFF:127.0.0.1")).isInstanceOf(Inet4Address.class);
    assertThat(Ip.text(Ip.ipv6("::ffff:7f00:1"))).isEqualTo("127.0.0.1");
    assertThat(Ip.text(Ip.ipv6("::127.0.0.1"))).isEqualTo("::7f00:1");
    assertThat(Ip.ipv6("10.0.0.1")).as("IPv4 is not an IPv6 literal").isNull();
  }

  @ParameterizedTest
  @CsvSource({
      "::ffff:10.1.2.3, 10.1.2.3",
      "::10.1.2.3, 10.1.2.3",
      "64:ff9b::a01:203, 10.1.2.3",
      "2002:a01:203::1, 10.1.2.3",
      "2002:a01:203:ffff:ffff:ffff:ffff:ffff, 10.1.2.3",
  })
  void finds_the_ipv4_address_an_ipv6_form_embeds(String v6, String v4) throws Exception {
    byte[] bytes = Ip.literal(v6);
    // the JDK and Ip read a mapped literal as IPv4; the resolver can still hand the 16-byte form
    byte[] embedded = Ip.embeddedIpv4(bytes.length == 4 ? padMapped(bytes) : bytes);
    assertThat(embedded).containsExactly(InetAddress.getByName(v4).getAddress());
  }

  @ParameterizedTest
  @ValueSource(strings = {"2001:db8::a01:203", "64:ff9b:1::a01:203", "2003:a01:203::", "fe80::a01:203"})
  void other_ipv6_forms_embed_nothing(String v6) {
    assertThat(Ip.embeddedIpv4(Ip.literal(v6))).as(v6).isNull();
  }

  @Test
  void ipv4_embeds_nothing() {
    assertThat(Ip.embeddedIpv4(new byte[] {10, 1, 2, 3})).isNull();
  }

  private static byte[] padMapped(byte[] v4) {
    return new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, v4[0], v4[1], v4[2], v4[3]};
  }
}
