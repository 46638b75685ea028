package io.xredline.bench.jmh;

import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.DatabindCodec;
import io.vertx.core.json.jackson.JacksonCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.Map;

/**
 * Vert.x's two JSON codecs on what an authenticated request reads and writes: a token's payload
 * decoded (Tokens.verify) and a {@code /me} envelope encoded. {@code databind} is the codec vertx-core
 * picks when jackson-databind is on the class path (the service before StreamingJsonFactory),
 * {@code streaming} the one the service now registers; both are built here, so the class path's
 * choice does not matter.
 */
@State(Scope.Benchmark)
public class JsonCodecBenchmark extends HotPathRun {
  private static final String PAYLOAD = "{\"iss\":\"xredline\",\"aud\":\"xredline\",\"sub\":\"42\",\"name\":\"benchuser\","
      + "\"typ\":\"access\",\"jti\":\"q8Yc2m0fKx3tW9bVn5LrAA\",\"sid\":\"Zx81KpQm3nV7tB2cL0dHWg\","
      + "\"iat\":1796300000,\"nbf\":1796300000,\"exp\":1796300900}";

  @Param({"databind", "streaming"})
  public String codec;

  private JacksonCodec json;
  private JsonObject envelope;

  @Setup
  public void setUp() {
    json = codec.equals("databind") ? new DatabindCodec() : new JacksonCodec();
    envelope = new JsonObject()
        .put("user", new JsonObject().put("id", 42L).put("username", "benchuser").put("email", "b***@example.org")
            .put("phone", "+49 *** *** 11").put("email_verified", true).put("totp_enabled", false)
            .put("created_at", "2026-12-03T11:00:00Z"))
        .put("session", new JsonObject().put("id", "Zx81KpQm3nV7tB2cL0dHWg").put("expires_at", "2026-12-10T11:00:00Z"));
  }

  /** What {@code new JsonObject(String)} does with the process's codec: a map, wrapped. */
  @Benchmark
  @SuppressWarnings("unchecked")
  public JsonObject decodeTokenPayload() {
    return new JsonObject(json.fromString(PAYLOAD, Map.class));
  }

  @Benchmark
  public String encodeEnvelope() {
    return json.toString(envelope, false);
  }
}
