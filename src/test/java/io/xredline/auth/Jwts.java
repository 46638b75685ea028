package io.xredline.auth;

import io.vertx.core.json.JsonObject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Hand-made JWTs for attacks: any header, any claims, HS256 with any key, or no signature at all. */
final class Jwts {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private Jwts() {
  }

  static String hs256(JsonObject claims, byte[] key) {
    String unsigned = part(new JsonObject().put("alg", "HS256").put("typ", "JWT")) + "." + part(claims);
    return unsigned + "." + B64.encodeToString(hmac(unsigned, key));
  }

  static String unsigned(JsonObject claims) {
    return part(new JsonObject().put("alg", "none").put("typ", "JWT")) + "." + part(claims) + ".";
  }

  static JsonObject claims(String jwt) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
  }

  /** The same token with its payload replaced and the original signature kept. */
  static String withPayload(String jwt, JsonObject claims) {
    String[] parts = jwt.split("\\.");
    return parts[0] + "." + part(claims) + "." + parts[2];
  }

  static String part(JsonObject json) {
    return B64.encodeToString(json.encode().getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] hmac(String data, byte[] key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.US_ASCII));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
