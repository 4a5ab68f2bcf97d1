package dev.fanout.net;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The WHATWG IPv4 host parser: every numeric form, its limits, and what is a DNS name instead. */
class Ipv4Test {

  @ParameterizedTest
  @CsvSource({
      "1.2.3.4, 16909060", "1.2.3.4., 16909060", "255.255.255.255, 4294967295", "4294967295, 4294967295",
      "1.16777215, 33554431", "1.2.65535, 16973823", "1.2.3.255, 16909311", "0x, 0", "0x.0x.0x.0x, 0",
      "0x000000000001, 1", "0X7F.1, 2130706433", "0177.1, 2130706433", "00, 0", "0, 0", "127.0.0.1, 2130706433"})
  void numeric_forms_name_the_address_browsers_dial(String host, long address) {
    assertThat(Ipv4.parse(host)).isEqualTo(address);
  }

  @ParameterizedTest
  @ValueSource(strings = {"256.0.0.1", "1.256.0.1", "1.2.256.1", "1.2.3.256", "1.2.65536", "1.16777216",
      "4294967296", "1.2.3.4.5", "1..2", "0x1g.2", "08.1", "0x0000000000001", "x.0x"})
  void out_of_range_or_malformed_numbers_fail(String host) {
    assertThat(Ipv4.parse(host)).isEqualTo(Ipv4.FAIL);
  }

  @ParameterizedTest
  @ValueSource(strings = {"example.com", "1.2.3.x", "1.2.3.0x1g", "x", ".", "0x1g", "1.2.3.4a", "1.2.3.4.."})
  void a_host_whose_last_label_is_not_a_number_is_a_name(String host) {
    assertThat(Ipv4.parse(host)).isEqualTo(Ipv4.NOT_IPV4);
  }

  @ParameterizedTest
  @ValueSource(strings = {"01.2.3.4", "1.02.3.4", "1.2.3.04", "1.2.3", "256.1.1.1", "a.b.c.d"})
  void only_the_usual_dotted_quad_takes_the_fast_path(String host) {
    assertThat(Ipv4.dottedQuad(host)).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.2.3.4", "10.0.0.1", "100.20.0.0", "0.0.0.0", "255.255.255.255"})
  void a_usual_dotted_quad_is_its_own_address(String host) {
    assertThat(Ipv4.dottedQuad(host).getHostAddress()).isEqualTo(host);
    assertThat(Ipv4.address(Ipv4.parse(host)).getHostAddress()).isEqualTo(host);
  }
}
