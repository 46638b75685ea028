package io.xredline.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.xredline.testing.TestApp;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("RS256/ES256 tokens: JWKS publishes the public key, which verifies real tokens; HS256 forged with it is refused")
class AsymmetricTokenTest extends AuthTestBase {
  @TempDir
  static Path keys;

  private static TestApp start(String algorithm, KeyPair pair, String hint) throws Exception {
    Path priv = keys.resolve(hint + ".key");
    Path pub = keys.resolve(hint + ".pub");
    Files.writeString(priv, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
    Files.writeString(pub, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
    return TestApp.start(hint, overrides("auth.jwt.algorithm", algorithm, "auth.jwt.private_key_file", priv.toString(),
        "auth.jwt.public_key_file", pub.toString()));
  }

  private static String sha256Thumbprint(String canonicalJwk) throws Exception {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(
        java.security.MessageDigest.getInstance("SHA-256").digest(canonicalJwk.getBytes(StandardCharsets.UTF_8)));
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der) + "\n-----END " + type + "-----\n";
  }

  @Test
  @DisplayName("RS256: a JWK (kty RSA) whose n/e verify the issued token; an HS256 token keyed with the public PEM → TOKEN_INVALID")
  @Timeout(value = 2, unit = TimeUnit.MINUTES) // starts a service instance of its own: beyond 30 s when both cores are busy
  void rs256() throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048);
    KeyPair pair = gen.generateKeyPair();
    try (TestApp app = start("RS256", pair, "authrs256")) {
      JsonObject tokens = tokens(app, newUser(app));
      String access = tokens.getString("access_token");
      JsonObject header = new JsonObject(new String(Base64.getUrlDecoder().decode(access.split("\\.")[0]), StandardCharsets.UTF_8));
      assertThat(header.getString("alg")).isEqualTo("RS256");

      HttpResponse<String> jwks = app.get("/.well-known/jwks.json");
      assertThat(jwks.statusCode()).isEqualTo(200);
      JsonArray keysArray = json(jwks).getJsonArray("keys");
      assertThat(keysArray).hasSize(1);
      JsonObject jwk = keysArray.getJsonObject(0);
      assertThat(jwk.getString("kty")).isEqualTo("RSA");
      assertThat(jwk.getString("kid")).isEqualTo(header.getString("kid"));
      assertThat(jwk.getString("kid")).as("RFC 7638 thumbprint of the published key").isEqualTo(sha256Thumbprint(
          "{\"e\":\"" + jwk.getString("e") + "\",\"kty\":\"RSA\",\"n\":\"" + jwk.getString("n") + "\"}"));
      assertThat(jwk.fieldNames()).doesNotContain("d", "p", "q");
      var publicKey = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(
          new BigInteger(1, Base64.getUrlDecoder().decode(jwk.getString("n"))),
          new BigInteger(1, Base64.getUrlDecoder().decode(jwk.getString("e")))));
      Signature verifier = Signature.getInstance("SHA256withRSA");
      verifier.initVerify(publicKey);
      verifier.update(access.substring(0, access.lastIndexOf('.')).getBytes(StandardCharsets.US_ASCII));
      assertThat(verifier.verify(Base64.getUrlDecoder().decode(access.substring(access.lastIndexOf('.') + 1)))).isTrue();

      assertThat(app.get(AUTH + "/me", bearer(tokens)).statusCode()).isEqualTo(200);
      JsonObject claims = Jwts.claims(access);
      byte[] publicPem = pem("PUBLIC KEY", pair.getPublic().getEncoded()).getBytes(StandardCharsets.US_ASCII);
      assertError(app.get(AUTH + "/me", "Authorization", "Bearer " + Jwts.hs256(claims, publicPem)), 401, "TOKEN_INVALID");
      assertError(app.get(AUTH + "/me", "Authorization", "Bearer " + Jwts.hs256(claims, pair.getPublic().getEncoded())), 401,
          "TOKEN_INVALID");
      assertError(app.get(AUTH + "/me", "Authorization", "Bearer " + Jwts.unsigned(claims)), 401, "TOKEN_INVALID");
      // signed with the right key: a header naming another key id is refused, one naming none is not
      assertError(app.get(AUTH + "/me", "Authorization", "Bearer " + rs256(new JsonObject().put("alg", "RS256")
          .put("typ", "JWT").put("kid", "another-key"), claims, pair)), 401, "TOKEN_INVALID");
      assertThat(app.get(AUTH + "/me", "Authorization", "Bearer " + rs256(new JsonObject().put("alg", "RS256")
          .put("typ", "JWT"), claims, pair)).statusCode()).isEqualTo(200);
      assertThat(app.get(AUTH + "/me", "Authorization", "Bearer " + rs256(header, claims, pair)).statusCode())
          .as("the helper signs as the service does").isEqualTo(200);
    }
  }

  private static String rs256(JsonObject header, JsonObject claims, KeyPair pair) throws Exception {
    String signed = Jwts.part(header) + "." + Jwts.part(claims);
    Signature signer = Signature.getInstance("SHA256withRSA");
    signer.initSign(pair.getPrivate());
    signer.update(signed.getBytes(StandardCharsets.US_ASCII));
    return signed + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signer.sign());
  }

  @Test
  @DisplayName("ES256: tokens are signed ES256 and JWKS publishes a P-256 key")
  @Timeout(value = 2, unit = TimeUnit.MINUTES) // starts a service instance of its own: beyond 30 s when both cores are busy
  void es256() throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
    gen.initialize(new ECGenParameterSpec("secp256r1"));
    try (TestApp app = start("ES256", gen.generateKeyPair(), "authes256")) {
      JsonObject tokens = tokens(app, newUser(app));
      assertThat(app.get(AUTH + "/me", bearer(tokens)).statusCode()).isEqualTo(200);
      JsonObject refreshed = json(postJson(app, AUTH + "/refresh", new JsonObject().put("refresh_token",
          tokens.getString("refresh_token"))));
      remember(refreshed);
      assertThat(app.get(AUTH + "/me", bearer(refreshed)).statusCode()).isEqualTo(200);
      JsonObject jwk = json(app.get("/.well-known/jwks.json")).getJsonArray("keys").getJsonObject(0);
      assertThat(jwk.getString("kty")).isEqualTo("EC");
      assertThat(jwk.getString("crv")).isEqualTo("P-256");
      assertThat(Base64.getUrlDecoder().decode(jwk.getString("x"))).hasSize(32);
      assertThat(jwk.getString("kid")).as("RFC 7638 thumbprint of the published key").isEqualTo(sha256Thumbprint(
          "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" + jwk.getString("x") + "\",\"y\":\"" + jwk.getString("y") + "\"}"));
      String access = tokens.getString("access_token");
      assertThat(Base64.getUrlDecoder().decode(access.substring(access.lastIndexOf('.') + 1))).as("JOSE r|s").hasSize(64);
      int at = access.length() - 20;
      String altered = access.substring(0, at) + (access.charAt(at) == 'A' ? 'B' : 'A') + access.substring(at + 1);
      assertError(app.get(AUTH + "/me", "Authorization", "Bearer " + altered), 401, "TOKEN_INVALID");
      assertError(app.get(AUTH + "/me", "Authorization", "Bearer " + access.substring(0, access.length() - 4)), 401,
          "TOKEN_INVALID"); // r|s of 61 bytes
    }
  }
}
