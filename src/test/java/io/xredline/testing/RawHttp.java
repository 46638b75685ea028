package io.xredline.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * HTTP/1.1 over a plain socket: bytes no well-behaved client would send (raw non-UTF-8 octets in a
 * path, header floods, broken percent-encoding), one request per connection, the whole response read.
 */
public final class RawHttp {
  /** A parsed response: status, the header block as text (lower-cased names), the body. */
  public record Response(int status, String headers, String body) {
    public String header(String name) {
      for (String line : headers.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }
  }

  private RawHttp() {
  }

  /** {@code head} is the request line and headers without the final blank line; Host and Connection: close are added. */
  public static Response send(int port, byte[] head, byte[] body) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      try {
        out.write(head);
        out.write(("\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n"
            + (body.length > 0 ? "Content-Length: " + body.length + "\r\n" : "") + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
      } catch (java.net.SocketException e) {
        // the server answered early (a refused header block, a body over the limit) and closed: read what it said
      }
      return parse(readAll(socket.getInputStream()));
    } catch (IOException e) {
      throw new UncheckedIOException("raw request to " + port, e);
    }
  }

  public static Response send(int port, String head) {
    return send(port, head.getBytes(StandardCharsets.ISO_8859_1), new byte[0]);
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    int n;
    try {
      while ((n = in.read(buffer)) >= 0) {
        all.write(buffer, 0, n);
      }
    } catch (java.net.SocketException e) {
      // the server may reset after answering a request it did not read to the end
    }
    return all.toByteArray();
  }

  private static Response parse(byte[] raw) {
    String text = new String(raw, StandardCharsets.UTF_8);
    int end = text.indexOf("\r\n\r\n");
    // HTTP/1.0 when the server could not even parse the request line
    if (!text.matches("(?s)HTTP/1\\.[01] .*") || end < 0) {
      throw new AssertionError("not an HTTP response: " + text);
    }
    int status = Integer.parseInt(text.substring(9, 12));
    String headers = text.substring(text.indexOf("\r\n") + 2, end);
    String body = text.substring(end + 4);
    if (headers.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
      body = dechunk(body);
    }
    return new Response(status, headers, body);
  }

  private static String dechunk(String body) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < body.length()) {
      int lineEnd = body.indexOf("\r\n", i);
      if (lineEnd < 0) {
        break;
      }
      int size = Integer.parseInt(body.substring(i, lineEnd).split(";")[0].trim(), 16);
      if (size == 0) {
        break;
      }
      out.append(body, lineEnd + 2, lineEnd + 2 + size);
      i = lineEnd + 2 + size + 2;
    }
    return out.toString();
  }
}
