package io.xredline.app;

import io.vertx.core.json.jackson.JacksonCodec;
import io.vertx.core.spi.JsonFactory;
import io.vertx.core.spi.json.JsonCodec;

/**
 * Vert.x's JSON codec for the whole process: Jackson's streaming parser and generator
 * ({@link JacksonCodec}) instead of the databind codec vertx-core picks by itself whenever
 * jackson-databind is on the class path (here it comes with the log encoder). The databind codec
 * reads and writes every JSON value through an {@code ObjectMapper}; the streaming codec builds
 * and writes the same {@code JsonObject}s and {@code JsonArray}s with Jackson's parser and
 * generator alone: warm, about as fast (JMH {@code JsonCodecBenchmark}), with a quarter less
 * allocation on an envelope, and without databind's code for the JIT to compile while the service
 * warms up (a token's header and payload, request bodies and every response envelope go through it).
 *
 * <p>What the streaming codec does not do is map beans: {@code JsonObject.mapFrom}/{@code mapTo} and
 * {@code Json.encode} of a value that is not JSON (a record, a {@code Set}, a {@code UUID}) fail.
 * The service never relies on that (ArchitectureTest refuses the mapping calls; JsonCodecTest shows
 * what is encoded and refused). Registered through {@code META-INF/services}, vertx-core's SPI, with
 * an order ahead of vertx-core's own factory.
 */
public final class StreamingJsonFactory implements JsonFactory {
  private static final JacksonCodec CODEC = new JacksonCodec();

  @Override
  public JsonCodec codec() {
    return CODEC;
  }

  @Override
  public int order() {
    return 0;
  }
}
