package io.xredline.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.xredline.config.AppConfig;
import io.xredline.error.AppError;
import io.xredline.error.Reason;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Issues and checks the JWTs of CONTRACT §3. vertx-auth-jwt signs. A token is decoded once, here:
 * the algorithm allow-list (so never {@code alg: none}), the signature with the JDK's own HMAC or
 * signature over the configured key (RFC 7518: HS256, RS256, ES256 as r‖s), {@code exp}/{@code nbf}
 * with leeway, {@code iss}, {@code aud} and {@code typ}, so each failure gets its reason.
 * (JWTAuth.authenticate, used before, decoded the token a second time and built a user nothing read.)
 */
public final class Tokens {
  public static final String ACCESS = "access";
  public static final String REFRESH = "refresh";
  private static final int MAX_TOKEN_LENGTH = 8192;

  /** The claims this service relies on, from a token whose signature and claims passed. */
  public record Claims(long userId, String username, String jti, String familyId, String type, long issuedAt,
                       long expiresAt) {
  }

  private final AppConfig.Jwt config;
  private final JWTAuth jwt;
  /** The configured key's check, one per thread: neither a Mac nor a Signature may be shared. */
  private final ThreadLocal<SignatureCheck> signatures;
  private final JsonObject jwks;
  private final String keyId;

  public Tokens(Vertx vertx, AppConfig.Jwt config) {
    this.config = config;
    JWTAuthOptions options = new JWTAuthOptions()
        // expiry and audience are checked below, to tell TOKEN_EXPIRED from TOKEN_INVALID
        .setJWTOptions(new JWTOptions().setIgnoreExpiration(true).setLeeway(0));
    if (config.asymmetric()) {
      String publicPem = read(config.publicKeyFile());
      PublicKey publicKey = publicKey(publicPem, config.algorithm());
      JsonObject jwk = jwk(publicKey);
      this.keyId = thumbprint(jwk);
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(config.algorithm()).setId(keyId).setBuffer(publicPem));
      String algorithm = config.algorithm().startsWith("RS") ? "SHA256withRSA" : "SHA256withECDSAinP1363Format";
      this.signatures = ThreadLocal.withInitial(check(() -> {
        Signature signature = Signature.getInstance(algorithm);
        return (signed, expected) -> {
          signature.initVerify(publicKey);
          signature.update(signed);
          return signature.verify(expected);
        };
      }));
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(config.algorithm()).setId(keyId)
          .setBuffer(read(config.privateKeyFile())));
      this.jwks = new JsonObject().put("keys", new JsonArray()
          .add(jwk.put("kid", keyId).put("use", "sig").put("alg", config.algorithm())));
    } else {
      this.keyId = null;
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(config.secretKey()));
      SecretKeySpec secret = new SecretKeySpec(config.secretKey().getBytes(StandardCharsets.UTF_8), "HmacSHA256");
      this.signatures = ThreadLocal.withInitial(check(() -> {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(secret);
        return (signed, expected) -> MessageDigest.isEqual(mac.doFinal(signed), expected);
      }));
      this.jwks = null;
    }
    this.jwt = JWTAuth.create(vertx, options);
  }

  /** Whether {@code expected} is the signature of {@code signed}. */
  @FunctionalInterface
  private interface SignatureCheck {
    boolean valid(byte[] signed, byte[] expected) throws GeneralSecurityException;
  }

  @FunctionalInterface
  private interface CheckFactory {
    SignatureCheck create() throws GeneralSecurityException;
  }

  private static Supplier<SignatureCheck> check(CheckFactory factory) {
    return () -> {
      try {
        return factory.create();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("the JDK cannot verify this JWT algorithm", e);
      }
    };
  }

  /** The public keys as a JWK set, or null when tokens are signed with a shared secret. */
  public JsonObject jwks() {
    return jwks;
  }

  public String issue(String type, long userId, String username, String familyId, String jti, long expiresAtSeconds) {
    long now = Instant.now().getEpochSecond();
    JsonObject claims = new JsonObject()
        .put("sub", String.valueOf(userId))
        .put("username", username)
        .put("jti", jti)
        .put("fid", familyId)
        .put("typ", type)
        .put("iss", config.issuer())
        .put("aud", config.audience())
        .put("iat", now)
        .put("nbf", now)
        .put("exp", expiresAtSeconds);
    JWTOptions options = new JWTOptions().setAlgorithm(config.algorithm()).setNoTimestamp(true);
    if (keyId != null) {
      options.setHeader(new JsonObject().put("kid", keyId));
    }
    return jwt.generateToken(claims, options);
  }

  public static String newId() {
    return UUID.randomUUID().toString();
  }

  /** Parses an {@code Authorization} header value: {@code Bearer <jwt>}. */
  public static String bearer(String authorization) {
    if (authorization == null || authorization.isBlank()) {
      throw new AppError(Reason.TOKEN_MISSING, "authorization required: send Authorization: Bearer <access_token>");
    }
    // "Bearer", one run of whitespace, the token, nothing else (by hand: this runs on every call)
    String value = authorization.trim();
    int gap = 0;
    while (gap < value.length() && !whitespace(value.charAt(gap))) {
      gap++;
    }
    int token = gap;
    while (token < value.length() && whitespace(value.charAt(token))) {
      token++;
    }
    String credentials = value.substring(token);
    if (gap != 6 || !value.regionMatches(true, 0, "Bearer", 0, 6) || !looksLikeJwt(credentials)) {
      throw new AppError(Reason.INVALID_TOKEN_FORMAT, "authorization must be: Bearer <access_token>");
    }
    return credentials;
  }

  /** What {@code \\s} matches. */
  private static boolean whitespace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
  }

  /** Three base64url segments, the last may be empty: {@code [A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*}. */
  static boolean looksLikeJwt(String token) {
    if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
      return false;
    }
    int dots = 0;
    int segment = 0;
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c == '.') {
        if (segment == 0 || ++dots > 2) {
          return false;
        }
        segment = 0;
      } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-') {
        segment++;
      } else {
        return false;
      }
    }
    return dots == 2;
  }

  /** Verifies signature and claims and that the token is of {@code expectedType}. */
  public Future<Claims> verify(String token, String expectedType) {
    if (!looksLikeJwt(token)) {
      return Future.failedFuture(new AppError(Reason.INVALID_TOKEN_FORMAT, "token is not a JWT"));
    }
    JsonObject header;
    JsonObject payload;
    try {
      String[] parts = token.split("\\.");
      header = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8));
      payload = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException | DecodeException | ClassCastException e) {
      return Future.failedFuture(new AppError(Reason.INVALID_TOKEN_FORMAT, "token is not a JWT"));
    }
    Object alg = header.getValue("alg");
    if (!(alg instanceof String a) || !config.allowedAlgorithms().contains(a) || !a.equals(config.algorithm())) {
      return Future.failedFuture(invalid("token algorithm not accepted"));
    }
    if (!signatureValid(token, header.getValue("kid"))) {
      return Future.failedFuture(invalid("token signature invalid"));
    }
    return claims(payload, expectedType);
  }

  /**
   * The signature over the first two segments, by the configured key (the algorithm is checked
   * before); a header {@code kid} must name that key when it has an id (RS256/ES256).
   */
  private boolean signatureValid(String token, Object kid) {
    int last = token.lastIndexOf('.');
    if (last == token.length() - 1 || (kid != null && keyId != null && !keyId.equals(kid))) {
      return false; // an empty signature is never accepted, nor another key's
    }
    try {
      byte[] expected = Base64.getUrlDecoder().decode(token.substring(last + 1));
      return signatures.get().valid(token.substring(0, last).getBytes(StandardCharsets.US_ASCII), expected);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false; // undecodable, or not a signature of this key's kind (an ES256 signature not 64 bytes)
    }
  }

  private Future<Claims> claims(JsonObject p, String expectedType) {
    try {
      long now = Instant.now().getEpochSecond();
      long leeway = config.leeway().toSeconds();
      long exp = number(p, "exp");
      long nbf = p.containsKey("nbf") ? number(p, "nbf") : number(p, "iat");
      if (!config.issuer().equals(p.getValue("iss"))) {
        return Future.failedFuture(invalid("token issuer not accepted"));
      }
      if (!audienceMatches(p.getValue("aud"))) {
        return Future.failedFuture(invalid("token audience not accepted"));
      }
      if (!expectedType.equals(p.getValue("typ"))) {
        return Future.failedFuture(invalid("expected a" + (ACCESS.equals(expectedType) ? "n access" : " refresh") + " token"));
      }
      if (nbf > now + leeway) {
        return Future.failedFuture(invalid("token not valid yet"));
      }
      if (exp <= now - leeway) {
        return Future.failedFuture(new AppError(Reason.TOKEN_EXPIRED,
            (ACCESS.equals(expectedType) ? "access" : "refresh") + " token expired"));
      }
      String sub = p.getString("sub");
      String jti = p.getString("jti");
      String fid = p.getString("fid");
      if (sub == null || jti == null || fid == null || !digits(sub, 18)) {
        return Future.failedFuture(invalid("token claims incomplete"));
      }
      return Future.succeededFuture(new Claims(Long.parseLong(sub), p.getString("username"), jti, fid,
          expectedType, number(p, "iat"), exp));
    } catch (ClassCastException | IllegalArgumentException e) {
      return Future.failedFuture(invalid("token claims malformed"));
    }
  }

  private static boolean digits(String s, int max) {
    if (s.isEmpty() || s.length() > max) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private boolean audienceMatches(Object aud) {
    if (aud instanceof String s) {
      return s.equals(config.audience());
    }
    return aud instanceof JsonArray array && array.contains(config.audience());
  }

  private static long number(JsonObject p, String claim) {
    Object v = p.getValue(claim);
    if (!(v instanceof Number n)) {
      throw new IllegalArgumentException(claim + " missing");
    }
    return n.longValue();
  }

  private static AppError invalid(String message) {
    return new AppError(Reason.TOKEN_INVALID, message);
  }

  private static String read(java.nio.file.Path path) {
    try {
      return Files.readString(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read key file " + path, e);
    }
  }

  static PublicKey publicKey(String pem, String algorithm) {
    String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    try {
      return KeyFactory.getInstance(algorithm.startsWith("RS") ? "RSA" : "EC")
          .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
    } catch (Exception e) {
      throw new IllegalArgumentException("auth.jwt.public_key_file is not an X.509 " + algorithm + " public key", e);
    }
  }

  /** The members RFC 7638 §3.2 hashes for each key type, in the lexicographic order it requires. */
  private static final Map<String, List<String>> THUMBPRINT_MEMBERS = Map.of(
      "RSA", List.of("e", "kty", "n"),
      "EC", List.of("crv", "kty", "x", "y"));

  /**
   * RFC 7638 JWK thumbprint: base64url(SHA-256) of the key's required members as JSON, sorted, no
   * whitespace. A verifier can recompute it from the published JWK, so {@code kid} names the key itself.
   */
  public static String thumbprint(JsonObject jwk) {
    List<String> members = THUMBPRINT_MEMBERS.get(jwk.getString("kty"));
    if (members == null) {
      throw new IllegalArgumentException("no RFC 7638 thumbprint for kty " + jwk.getString("kty"));
    }
    StringBuilder canonical = new StringBuilder("{");
    for (String member : members) {
      if (canonical.length() > 1) {
        canonical.append(',');
      }
      // every required member is a base64url or registered name: no character needs JSON escaping
      canonical.append('"').append(member).append("\":\"").append(jwk.getString(member)).append('"');
    }
    canonical.append('}');
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The public members of a JWK (RFC 7518 §6): {@code kty} and the key's numbers, no private parts. */
  static JsonObject jwk(PublicKey key) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    if (key instanceof RSAPublicKey rsa) {
      return new JsonObject().put("kty", "RSA").put("n", b64.encodeToString(unsigned(rsa.getModulus())))
          .put("e", b64.encodeToString(unsigned(rsa.getPublicExponent())));
    }
    ECPublicKey ec = (ECPublicKey) key;
    return new JsonObject().put("kty", "EC").put("crv", "P-256")
        .put("x", b64.encodeToString(fixed(ec.getW().getAffineX(), 32)))
        .put("y", b64.encodeToString(fixed(ec.getW().getAffineY(), 32)));
  }

  private static byte[] unsigned(BigInteger n) {
    byte[] bytes = n.toByteArray();
    return bytes.length > 1 && bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
  }

  private static byte[] fixed(BigInteger n, int length) {
    byte[] bytes = unsigned(n);
    byte[] out = new byte[length];
    System.arraycopy(bytes, 0, out, length - bytes.length, bytes.length);
    return out;
  }
}
