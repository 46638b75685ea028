package io.xredline.net;

import io.netty.util.NetUtil;

import java.util.Arrays;

/**
 * An IPv4 or IPv6 network ({@code 10.0.0.0/8}, {@code fd00::/8}, or one address). Parsing never
 * touches DNS: only literals are accepted. IPv4-mapped IPv6 addresses match as IPv4.
 */
public record Cidr(byte[] network, int prefixLength) {
  /** {@code null} when {@code text} is not an address literal with an optional valid prefix length. */
  public static Cidr parse(String text) {
    if (text == null) {
      return null;
    }
    String value = text.trim();
    int slash = value.indexOf('/');
    byte[] address = Addresses.parse(slash < 0 ? value : value.substring(0, slash));
    if (address == null) {
      return null;
    }
    int bits = address.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      String digits = value.substring(slash + 1);
      if (!digits.matches("[0-9]{1,3}")) {
        return null;
      }
      prefix = Integer.parseInt(digits);
      if (prefix > bits) {
        return null;
      }
    }
    return new Cidr(mask(address, prefix), prefix);
  }

  public boolean contains(byte[] address) {
    return address != null && address.length == network.length && Arrays.equals(mask(address, prefixLength), network);
  }

  static byte[] mask(byte[] address, int prefix) {
    byte[] out = address.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      out[i] = (byte) (out[i] & (0xff << (8 - keep)));
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c && c.prefixLength == prefixLength && Arrays.equals(c.network, network);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(network) + prefixLength;
  }

  @Override
  public String toString() {
    return NetUtil.bytesToIpAddress(network) + "/" + prefixLength;
  }
}
