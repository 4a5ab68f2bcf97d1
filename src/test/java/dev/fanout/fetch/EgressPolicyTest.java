package dev.fanout.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.config.EgressConfig;
import dev.fanout.net.Cidr;
import java.net.InetAddress;
import java.util.List;
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
}
