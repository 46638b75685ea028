package io.xredline.auth;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("JWKS kid is the RFC 7638 JWK thumbprint")
class JwkThumbprintTest {
  /** RFC 7638 §3.1: the example RSA key and its SHA-256 thumbprint. */
  static final String RFC_N = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
  static final String RFC_E = "AQAB";
  static final String RFC_THUMBPRINT = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

  @Test
  @DisplayName("the RFC's example JWK hashes to the RFC's thumbprint, whatever other members it carries")
  void rfcExampleJwk() {
    JsonObject jwk = new JsonObject().put("kty", "RSA").put("n", RFC_N).put("e", RFC_E)
        .put("alg", "RS256").put("kid", "2011-04-29");
    assertThat(Tokens.thumbprint(jwk)).isEqualTo(RFC_THUMBPRINT);
  }

  @Test
  @DisplayName("the JWK built from the RFC's key as a Java PublicKey has the same thumbprint (n, e unsigned, unpadded)")
  void rfcExampleKey() throws Exception {
    PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(
        new BigInteger(1, Base64.getUrlDecoder().decode(RFC_N)), new BigInteger(1, Base64.getUrlDecoder().decode(RFC_E))));
    JsonObject jwk = Tokens.jwk(key);
    assertThat(jwk.getString("n")).isEqualTo(RFC_N);
    assertThat(jwk.getString("e")).isEqualTo(RFC_E);
    assertThat(Tokens.thumbprint(jwk)).isEqualTo(RFC_THUMBPRINT);
  }

  @Test
  @DisplayName("a key type without RFC 7638 members is refused rather than given a made-up kid")
  void unknownKeyType() {
    assertThatThrownBy(() -> Tokens.thumbprint(new JsonObject().put("kty", "oct").put("k", "abc")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
