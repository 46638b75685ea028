package io.xredline.net;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Who the client is, one rule for REST and gRPC (access log, audit, lockout and limits all use it):
 * the socket peer, unless the peer is a trusted proxy; then the forwarding header the proxies
 * write ({@code X-Forwarded-For} or RFC 7239 {@code Forwarded}, never both) is read from the right,
 * skipping trusted hops, and the first address not trusted is the client. Anything to the left of
 * it was written by the client and is ignored. With no trusted proxies every header is ignored.
 */
public final class ClientAddresses {
  public static final String X_FORWARDED_FOR = "x-forwarded-for";
  public static final String FORWARDED = "forwarded";
  /** Hops beyond this many from the right are never read: a flood of entries costs nothing. */
  static final int MAX_HOPS = 32;

  private final List<Cidr> trusted;
  private final String header;

  public ClientAddresses(List<String> trustedProxies, String header) {
    List<Cidr> cidrs = new ArrayList<>();
    for (String text : trustedProxies) {
      Cidr cidr = Cidr.parse(text);
      if (cidr == null) {
        throw new IllegalArgumentException("not a CIDR: " + text);
      }
      cidrs.add(cidr);
    }
    this.trusted = List.copyOf(cidrs);
    this.header = FORWARDED.equals(header) ? FORWARDED : X_FORWARDED_FOR;
  }

  /** The request header (lower case) trusted proxies write; read only when the peer is one of them. */
  public String header() {
    return header;
  }

  /**
   * The client when {@code peer} is not a trusted proxy (its canonical form, or {@code peer} itself
   * when it is no address): then no forwarding header counts. Null when the peer is trusted and the
   * header must be read ({@link #resolve}).
   */
  public String direct(String peer) {
    byte[] peerBytes = Addresses.parse(peer);
    if (peerBytes == null) {
      return peer;
    }
    return trusted(peerBytes) ? null : Addresses.canonical(peerBytes);
  }

  /**
   * {@code peer} is the socket's remote host; {@code headerValues} every value of {@link #header()}
   * in the order received (null or empty when absent).
   */
  public String resolve(String peer, List<String> headerValues) {
    byte[] peerBytes = Addresses.parse(peer);
    if (peerBytes == null) {
      return peer;
    }
    String client = Addresses.canonical(peerBytes);
    if (!trusted(peerBytes) || headerValues == null || headerValues.isEmpty()) {
      return client;
    }
    List<String> hops = hops(headerValues);
    for (int i = hops.size() - 1, read = 0; i >= 0 && read < MAX_HOPS; i--, read++) {
      byte[] hop = Addresses.parse(hop(hops.get(i)));
      if (hop == null) {
        // "unknown", an obfuscated name or garbage where a trusted proxy wrote it: the last
        // address we can stand behind is that proxy
        return client;
      }
      client = Addresses.canonical(hop);
      if (!trusted(hop)) {
        return client;
      }
    }
    return client;
  }

  private boolean trusted(byte[] address) {
    for (Cidr cidr : trusted) {
      if (cidr.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /** Every list element of every header line, left to right; for Forwarded, each element's {@code for=}. */
  private List<String> hops(List<String> values) {
    List<String> out = new ArrayList<>();
    for (String value : values) {
      if (value == null) {
        continue;
      }
      for (String element : split(value, ',')) {
        out.add(FORWARDED.equals(header) ? forwardedFor(element) : element.trim());
      }
    }
    return out;
  }

  /** The {@code for} parameter of one Forwarded element, unquoted; "" when it has none. */
  static String forwardedFor(String element) {
    for (String pair : split(element, ';')) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("for")) {
        String v = pair.substring(eq + 1).trim();
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
          v = v.substring(1, v.length() - 1);
        }
        return v;
      }
    }
    return "";
  }

  /** An address with an optional port: {@code 1.2.3.4:80}, {@code [2001:db8::1]:443}, bare IPv6. */
  static String hop(String entry) {
    String e = entry.trim();
    if (e.startsWith("[")) {
      int close = e.indexOf(']');
      return close > 0 ? e.substring(1, close) : e;
    }
    int colon = e.indexOf(':');
    if (colon > 0 && colon == e.lastIndexOf(':')) {
      return e.substring(0, colon);
    }
    return e;
  }

  /** Splits on {@code separator} outside double quotes (Forwarded values may be quoted strings). */
  private static List<String> split(String value, char separator) {
    List<String> parts = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      }
      if (c == separator && !quoted) {
        parts.add(current.toString());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    parts.add(current.toString());
    return parts;
  }
}
