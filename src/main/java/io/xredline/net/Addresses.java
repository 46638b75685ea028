package io.xredline.net;

import io.netty.util.NetUtil;

/** IP address literals: parsed without DNS, IPv4-mapped IPv6 folded to IPv4, printed in one canonical form. */
public final class Addresses {
  private Addresses() {
  }

  /** The address bytes (4 or 16), or {@code null} when {@code text} is not an IP literal. */
  public static byte[] parse(String text) {
    if (text == null || text.isEmpty() || text.length() > 64) {
      return null;
    }
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(text);
    if (bytes == null) {
      return null;
    }
    if (bytes.length == 16 && isIpv4Mapped(bytes)) {
      return java.util.Arrays.copyOfRange(bytes, 12, 16);
    }
    return bytes;
  }

  /** {@code 127.0.0.1}, {@code 2001:db8::1}: one spelling per address, whatever the input looked like. */
  public static String canonical(byte[] address) {
    return NetUtil.bytesToIpAddress(address);
  }

  /**
   * What limits and lockouts count per: the address itself for IPv4, its /64 for IPv6 — one
   * subscriber usually holds a whole /64, so counting single IPv6 addresses would give an attacker
   * 2^64 fresh budgets. Anything that is not an IP literal is returned as is.
   */
  public static String clientKey(String address) {
    byte[] bytes = parse(address);
    if (bytes == null) {
      return address == null ? "" : address;
    }
    if (bytes.length == 4) {
      return canonical(bytes);
    }
    return canonical(Cidr.mask(bytes, 64)) + "/64";
  }

  private static boolean isIpv4Mapped(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
  }
}
