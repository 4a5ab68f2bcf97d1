package dev.fanout.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.config.EgressConfig;
import dev.fanout.net.Cidr;
import dev.fanout.net.Ip;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EgressPolicyTest {
  private final EgressPolicy policy = new EgressPolicy(EgressConfig.defaults());

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "127.255.255.254", "0.0.0.0", "0.1.2.3", "10.0.0.1", "100.64.0.1",
      "100.127.255.255", "169.254.169.254", "172.16.0.1", "172.31.255.255", "192.168.0.1", "192.0.0.1",
      "198.18.0.1", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255", "168.63.129.16",
      "::1", "::", "fd00:ec2::254", "fc00::1", "fe80::1", "fec0::1", "ff02::1", "::ffff:10.0.0.1",
      "::10.0.0.1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::1", "2002:c0a8:0101::1", "2001:db8::1", "2001::1"})
  void denies_non_public_addresses(String address) throws Exception {
    assertThat(policy.check(InetAddress.getByName(address))).as(address).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "100.63.255.255", "100.128.0.0", "172.32.0.1", "2606:4700::1111",
      "64:ff9b::808:808", "2002:0808:0808::1", "11.0.0.1"})
  void allows_public_addresses(String address) throws Exception {
    assertThat(policy.check(InetAddress.getByName(address))).as(address).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "127.9.9.9", "::ffff:127.0.0.1", "64:ff9b::7f00:1"})
  void allow_list_wins_over_the_built_in_list(String address) throws Exception {
    EgressPolicy p = new EgressPolicy(new EgressConfig(List.of(Cidr.parse("127.0.0.0/8")), List.of()));
    assertThat(p.check(InetAddress.getByName(address))).isNull();
    assertThat(p.check(InetAddress.getByName("10.0.0.1"))).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"8.8.8.8", "8.8.4.4"})
  void deny_list_adds_blocks(String address) throws Exception {
    EgressPolicy p = new EgressPolicy(new EgressConfig(List.of(), List.of(Cidr.parse("8.8.0.0/16"))));
    assertThat(p.check(InetAddress.getByName(address))).isNotNull();
  }

  /**
   * Every byte of an embedded IPv4 address counts: 168.63.129.16 (Azure's wire server) is denied
   * as a block of one, so reading any wrong byte of it would let it through.
   */
  @ParameterizedTest
  @ValueSource(strings = {"2002:a83f:8110::", "2002:a83f:8110:1::1", "::ffff:168.63.129.16", "::168.63.129.16",
      "64:ff9b::a83f:8110", "2002:c0a8:0101::1", "2002:c000:0201::"})
  void denies_every_form_embedding_a_denied_ipv4_address_by_all_four_bytes(String address) throws Exception {
    String why = policy.check(InetAddress.getByName(address));
    assertThat(why).as(address).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"2002:a83f:8111::", "2002:a83f:8010::", "2002:a93f:8110::", "2002:a83e:8110::",
      "64:ff9b::a83f:8111", "::ffff:168.63.129.17", "2003:a83f:8110::", "64:ff9b:0:0:1::a83f:8110"})
  void allows_forms_embedding_a_public_ipv4_address(String address) throws Exception {
    assertThat(policy.check(InetAddress.getByName(address))).as(address).isNull();
  }

  @Test
  void the_embedded_address_is_read_from_its_own_bytes() throws Exception {
    assertThat(Ip.embeddedIpv4(InetAddress.getByName("2002:a83f:8110::").getAddress()))
        .containsExactly(168, 63, 129, 16);
    assertThat(Ip.embeddedIpv4(InetAddress.getByName("64:ff9b::a83f:8110").getAddress()))
        .containsExactly(168, 63, 129, 16);
    assertThat(Ip.embeddedIpv4(InetAddress.getByName("::a83f:8110").getAddress()))
        .containsExactly(168, 63, 129, 16);
    assertThat(Ip.embeddedIpv4(InetAddress.getByName("2606:4700::1111").getAddress())).isNull();
    assertThat(Ip.embeddedIpv4(InetAddress.getByName("8.8.8.8").getAddress())).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"::127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:0001::"})
  void the_reason_says_which_rule_denied(String address) throws Exception {
    assertThat(policy.check(InetAddress.getByName("127.0.0.1"))).contains("denied address block");
    assertThat(policy.check(InetAddress.getByName(address))).contains("embeds a denied IPv4 address");
  }

  @Test
  void the_reason_says_how_to_allow_the_address() throws Exception {
    assertThat(policy.check(InetAddress.getByName("127.0.0.1")))
        .contains("--allow 127.0.0.1/32").contains("egress.allow").contains("FANOUT_EGRESS_ALLOW=127.0.0.1/32");
    assertThat(policy.check(InetAddress.getByName("::1"))).contains("--allow ::1/128");
  }
}
