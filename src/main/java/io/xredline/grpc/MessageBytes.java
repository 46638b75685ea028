package io.xredline.grpc;

import io.vertx.core.buffer.Buffer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.GZIPInputStream;

/** Inflating a gzip-compressed gRPC message with a bound, so a small message cannot become a huge one. */
final class MessageBytes {
  private MessageBytes() {
  }

  /** The inflated bytes, or {@code null} when they are not gzip or exceed {@code max}. */
  static Buffer gunzip(Buffer compressed, long max) {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed.getBytes()))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] chunk = new byte[8192];
      int n;
      while ((n = in.read(chunk)) >= 0) {
        if (out.size() + n > max) {
          return null;
        }
        out.write(chunk, 0, n);
      }
      return Buffer.buffer(out.toByteArray());
    } catch (IOException e) {
      return null;
    }
  }
}
