package io.xredline.app;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.EncodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.DatabindCodec;
import io.vertx.core.json.jackson.JacksonCodec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The process's JSON codec is Jackson's streaming one (StreamingJsonFactory, through vertx-core's
 * SPI), and for every kind of value the service puts into JSON it writes and reads exactly what the
 * databind codec, which vertx-core would otherwise pick, writes and reads.
 */
@DisplayName("JSON: the streaming codec is the process's, and it writes and reads what the databind codec does")
class StreamingJsonFactoryTest {
  private static final DatabindCodec DATABIND = new DatabindCodec();

  /** An envelope like the service's: ids, nested objects, arrays, numbers of every width, escapes. */
  private static JsonObject envelope() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("from_map", "a map's entry");
    return new JsonObject()
        .put("user", new JsonObject().put("id", 4711L).put("username", "alice").put("email", "a***@example.org")
            .put("totp_enabled", false).put("created_at", "2026-12-03T11:00:00Z"))
        .put("roles", new JsonArray().add("user").add("admin"))
        .put("int", 42).put("long", 9_007_199_254_740_993L).put("negative", -1)
        .put("big", new BigInteger("123456789012345678901234567890"))
        .put("double", 0.1).put("decimal", new BigDecimal("12.50")).put("float", 1.5f)
        .put("text", "quote \" backslash \\ newline \n tab \t nul \u0000 é 日本 😀 </script>")
        .put("nothing", null).put("yes", true)
        .put("instant", Instant.parse("2026-12-03T11:22:33.456Z"))
        .put("bytes", new byte[] {0, 1, 2, (byte) 0xff})
        .put("buffer", Buffer.buffer("buffered"))
        .put("list", List.of(1, "two", 3.0))
        .put("map", map)
        .put("empty", new JsonObject()).put("none", new JsonArray());
  }

  @Test
  @DisplayName("vertx-core resolves the streaming codec, not the databind one, though databind is on the class path")
  void streamingCodecIsTheProcesss() throws Exception {
    assertThat(Class.forName("com.fasterxml.jackson.databind.ObjectMapper")).isNotNull();
    assertThat(Json.CODEC).isInstanceOf(JacksonCodec.class).isNotInstanceOf(DatabindCodec.class);
    assertThat(io.vertx.core.spi.JsonFactory.load()).isInstanceOf(StreamingJsonFactory.class);
  }

  @Test
  @DisplayName("encoding: the same text as the databind codec, compact and pretty")
  void encodesAsDatabindDoes() {
    JsonObject json = envelope();
    assertThat(json.encode()).isEqualTo(DATABIND.toString(json, false));
    assertThat(json.encodePrettily()).isEqualTo(DATABIND.toString(json, true));
    assertThat(json.toBuffer().toString()).isEqualTo(DATABIND.toBuffer(json, false).toString());
    JsonArray array = new JsonArray().add(json).add(7).add("x");
    assertThat(array.encode()).isEqualTo(DATABIND.toString(array, false));
  }

  @Test
  @DisplayName("decoding: the same objects, numbers of the same Java types, as the databind codec")
  void decodesAsDatabindDoes() {
    String text = envelope().encode();
    JsonObject streaming = new JsonObject(text);
    JsonObject databind = new JsonObject(DATABIND.fromString(text, Map.class));
    assertThat(streaming).isEqualTo(databind);
    for (String key : List.of("int", "long", "big", "double", "decimal", "negative")) {
      assertThat(streaming.getValue(key)).as(key).isInstanceOf(databind.getValue(key).getClass());
    }
    assertThat(Json.decodeValue(Buffer.buffer("[1,{\"a\":null},\"b\"]")))
        .isEqualTo(DATABIND.fromBuffer(Buffer.buffer("[1,{\"a\":null},\"b\"]"), Object.class));
    assertThat(Json.decodeValue("12")).isEqualTo(12);
    assertThat(Json.decodeValue("\"s\"")).isEqualTo("s");
  }

  @Test
  @DisplayName("malformed, truncated or trailing input is a DecodeException, as before (the service turns it into a 400)")
  void malformedInputIsADecodeException() {
    for (String bad : List.of("{", "{\"a\":}", "{\"a\":1}}", "{\"a\":1} x", "[1,2", "nul", "{'a':1}", "\"\\x\"")) {
      assertThatThrownBy(() -> Json.decodeValue(bad)).as(bad).isInstanceOf(DecodeException.class);
      assertThatThrownBy(() -> new JsonObject(bad)).as(bad).isInstanceOf(DecodeException.class);
    }
    assertThatThrownBy(() -> new JsonObject("[1]")).isInstanceOf(DecodeException.class);
  }

  @Test
  @DisplayName("what only databind could write (a bean, a Set, a UUID) is refused with an EncodeException, never written half")
  void beansAreRefused() {
    record Bean(String name) { }
    for (Object value : List.of(new Bean("x"), Set.of("a"), UUID.randomUUID())) {
      JsonObject json = new JsonObject().put("value", value);
      assertThatThrownBy(json::encode).as(value.getClass().getName()).isInstanceOf(EncodeException.class);
    }
    assertThatThrownBy(() -> JsonObject.mapFrom(new Bean("x"))).isInstanceOf(RuntimeException.class);
  }
}
