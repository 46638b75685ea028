package io.xredline.net;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Client addresses: forwarding headers only from trusted proxies, right-most untrusted hop, no DNS")
class ClientAddressesTest {
  private static final ClientAddresses NONE = new ClientAddresses(List.of(), "x-forwarded-for");
  private static final ClientAddresses PROXIES = new ClientAddresses(List.of("10.0.0.0/8", "fd00::/8", "127.0.0.1"),
      "x-forwarded-for");
  private static final ClientAddresses FORWARDED = new ClientAddresses(List.of("10.0.0.0/8"), "forwarded");

  @Test
  @DisplayName("CIDRs: IPv4, IPv6, single addresses; host names, bad prefixes and garbage are refused")
  void cidrs() {
    assertThat(Cidr.parse("10.0.0.0/8").contains(Addresses.parse("10.255.1.2"))).isTrue();
    assertThat(Cidr.parse("10.0.0.0/8").contains(Addresses.parse("11.0.0.1"))).isFalse();
    assertThat(Cidr.parse("192.168.1.7").contains(Addresses.parse("192.168.1.7"))).isTrue();
    assertThat(Cidr.parse("192.168.1.7").contains(Addresses.parse("192.168.1.8"))).isFalse();
    assertThat(Cidr.parse("2001:db8::/32").contains(Addresses.parse("2001:db8:ffff::1"))).isTrue();
    assertThat(Cidr.parse("2001:db8::/32").contains(Addresses.parse("2001:db9::1"))).isFalse();
    assertThat(Cidr.parse("0.0.0.0/0").contains(Addresses.parse("8.8.8.8"))).isTrue();
    assertThat(Cidr.parse("10.0.0.0/8").contains(Addresses.parse("::ffff:10.1.2.3"))).as("IPv4-mapped").isTrue();
    assertThat(Cidr.parse("10.0.0.0/8").contains(Addresses.parse("2001:db8::1"))).as("other family").isFalse();
    for (String bad : new String[] {"localhost", "example.com", "10.0.0.0/33", "::/129", "10.0.0/8", "10.0.0.0/", "1.2.3.4/-1",
        "", "10.0.0.0/8/8", "999.1.1.1"}) {
      assertThat(Cidr.parse(bad)).as(bad).isNull();
    }
  }

  @Test
  @DisplayName("an untrusted peer is the client: a spoofed X-Forwarded-For is ignored")
  void untrustedPeerIgnoresHeaders() {
    assertThat(NONE.resolve("127.0.0.1", List.of("203.0.113.9"))).isEqualTo("127.0.0.1");
    assertThat(PROXIES.resolve("198.51.100.4", List.of("203.0.113.9"))).isEqualTo("198.51.100.4");
  }

  @Test
  @DisplayName("direct: an untrusted peer is the client, canonical, with no header read; a trusted one needs the header")
  void direct() {
    assertThat(NONE.direct("127.0.0.1")).isEqualTo("127.0.0.1");
    assertThat(NONE.direct("0:0:0:0:0:0:0:1")).isEqualTo(NONE.resolve("0:0:0:0:0:0:0:1", List.of()));
    assertThat(PROXIES.direct("198.51.100.4")).isEqualTo("198.51.100.4");
    assertThat(PROXIES.direct("127.0.0.1")).as("a trusted proxy").isNull();
    assertThat(PROXIES.direct("10.1.2.3")).isNull();
    assertThat(PROXIES.direct("fd00::5")).isNull();
    assertThat(NONE.direct("not-an-address")).isEqualTo("not-an-address");
  }

  @Test
  @DisplayName("a trusted peer: the right-most address that is not a trusted proxy; what the client prepended is ignored")
  void rightMostUntrusted() {
    assertThat(PROXIES.resolve("10.0.0.5", List.of("203.0.113.9"))).isEqualTo("203.0.113.9");
    // the client wrote 1.1.1.1; our proxies 10.0.0.7 and 10.0.0.5 appended what they saw
    assertThat(PROXIES.resolve("10.0.0.5", List.of("1.1.1.1, 203.0.113.9, 10.0.0.7"))).isEqualTo("203.0.113.9");
    assertThat(PROXIES.resolve("10.0.0.5", List.of("1.1.1.1", "203.0.113.9"))).as("several header lines").isEqualTo("203.0.113.9");
    assertThat(PROXIES.resolve("10.0.0.5", List.of("10.0.0.9, 10.0.0.8"))).as("all trusted: the left-most").isEqualTo("10.0.0.9");
    assertThat(PROXIES.resolve("10.0.0.5", List.of())).isEqualTo("10.0.0.5");
    assertThat(PROXIES.resolve("10.0.0.5", List.of("203.0.113.9:4711"))).as("with a port").isEqualTo("203.0.113.9");
    assertThat(PROXIES.resolve("10.0.0.5", List.of("[2001:db8::1]:443"))).isEqualTo("2001:db8::1");
    assertThat(PROXIES.resolve("10.0.0.5", List.of("2001:DB8::1"))).as("canonical form (RFC 5952)").isEqualTo("2001:db8::1");
    assertThat(PROXIES.resolve("0:0:0:0:0:ffff:a00:5", List.of("203.0.113.9"))).as("mapped peer").isEqualTo("203.0.113.9");
  }

  @Test
  @DisplayName("garbage or 'unknown' where a trusted proxy wrote the hop: the proxy is the last address we can stand behind")
  void garbage() {
    assertThat(PROXIES.resolve("10.0.0.5", List.of("unknown"))).isEqualTo("10.0.0.5");
    assertThat(PROXIES.resolve("10.0.0.5", List.of("203.0.113.9, <script>, 10.0.0.7"))).isEqualTo("10.0.0.7");
    assertThat(PROXIES.resolve("10.0.0.5", List.of("evil.example.com"))).as("never resolved by DNS").isEqualTo("10.0.0.5");
    assertThat(PROXIES.resolve("10.0.0.5", List.of(",,,"))).isEqualTo("10.0.0.5");
    assertThat(PROXIES.resolve("not-an-ip", List.of("203.0.113.9"))).isEqualTo("not-an-ip");
  }

  @Test
  @DisplayName("a flood of hops is read only 32 deep from the right")
  void flood() {
    String many = String.join(", ", java.util.Collections.nCopies(5000, "10.0.0.1"));
    assertThat(PROXIES.resolve("10.0.0.5", List.of("203.0.113.9, " + many))).isEqualTo("10.0.0.1");
  }

  @Test
  @DisplayName("RFC 7239 Forwarded: for= (quoted, bracketed IPv6 with port), other parameters ignored; X-Forwarded-For not read")
  void forwarded() {
    assertThat(FORWARDED.resolve("10.0.0.5", List.of("for=192.0.2.60;proto=http;by=203.0.113.43"))).isEqualTo("192.0.2.60");
    assertThat(FORWARDED.resolve("10.0.0.5", List.of("for=1.1.1.1, for=\"[2001:db8:cafe::17]:4711\"")))
        .isEqualTo("2001:db8:cafe::17");
    assertThat(FORWARDED.resolve("10.0.0.5", List.of("For=\"_hidden\""))).isEqualTo("10.0.0.5");
    assertThat(FORWARDED.resolve("10.0.0.5", List.of("proto=https"))).as("no for=").isEqualTo("10.0.0.5");
    assertThat(FORWARDED.header()).isEqualTo("forwarded");
    assertThat(PROXIES.header()).isEqualTo("x-forwarded-for");
  }

  @Test
  @DisplayName("limits count IPv4 per address and IPv6 per /64")
  void clientKeys() {
    assertThat(Addresses.clientKey("203.0.113.9")).isEqualTo("203.0.113.9");
    assertThat(Addresses.clientKey("2001:db8:1:2:aaaa::1")).isEqualTo("2001:db8:1:2::/64");
    assertThat(Addresses.clientKey("2001:db8:1:2:bbbb::9")).isEqualTo(Addresses.clientKey("2001:db8:1:2:aaaa::1"));
    assertThat(Addresses.clientKey("2001:db8:1:3::1")).isNotEqualTo(Addresses.clientKey("2001:db8:1:2::1"));
    assertThat(Addresses.clientKey("::ffff:203.0.113.9")).isEqualTo("203.0.113.9");
  }
}
