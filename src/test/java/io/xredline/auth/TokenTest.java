package io.xredline.auth;

import io.vertx.core.json.JsonObject;
import io.xredline.api.auth.v1.LogoutRequest;
import io.xredline.api.auth.v1.MeReply;
import io.xredline.api.auth.v1.MeRequest;
import io.xredline.api.auth.v1.RefreshTokenRequest;
import io.xredline.api.auth.v1.SuccessReply;
import io.xredline.api.auth.v1.TokenReply;
import io.xredline.testing.GrpcCalls;
import io.xredline.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("tokens: refresh rotation and reuse, logout deny-list on REST and gRPC, and JWT attacks (HS256)")
class TokenTest extends AuthTestBase {
  static final byte[] SECRET = "xredline-test-secret-key-not-for-production-0123".getBytes(StandardCharsets.UTF_8);
  private static TestApp app;
  private static GrpcCalls calls;

  @BeforeAll
  static void start() {
    app = TestApp.start("authtokens", overrides());
    calls = new GrpcCalls(app.grpcPort());
  }

  @AfterAll
  static void stop() {
    calls.close();
    app.close();
    assertNoSecretsLogged();
  }

  private static HttpResponse<String> refresh(String refreshToken) {
    return postJson(app, AUTH + "/refresh", new JsonObject().put("refresh_token", refreshToken));
  }

  private static HttpResponse<String> me(String accessToken) {
    return app.get(AUTH + "/me", "Authorization", "Bearer " + accessToken);
  }

  /** Valid claims for a real account, signed with the real secret: each attack changes one thing. */
  private static JsonObject validClaims(JsonObject tokens) {
    return Jwts.claims(tokens.getString("access_token"));
  }

  @Test
  @DisplayName("me: id, username, masked email and phone, totp flag, created_at")
  void me() {
    String username = uniqueName("meuser");
    JsonObject reg = registration(app, username, PASSWORD, "meuser@example.com".replace("meuser", username.toLowerCase()))
        .put("phone", "13812345678");
    assertThat(postJson(app, AUTH + "/register", reg).statusCode()).isEqualTo(201);
    HttpResponse<String> r = me(tokens(app, username).getString("access_token"));
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject body = json(r);
    assertThat(body.fieldNames()).containsExactlyInAnyOrder("user_id", "username", "email", "phone", "totp_enabled", "created_at",
        "email_verified", "phone_verified");
    assertThat(body.getString("username")).isEqualTo(username);
    assertThat(body.getString("email")).isEqualTo(username.toLowerCase().substring(0, 2) + "**@example.com");
    assertThat(body.getString("phone")).isEqualTo("+86138****5678");
    assertThat(body.getBoolean("totp_enabled")).isFalse();
    assertThat(Instant.parse(body.getString("created_at"))).isBefore(Instant.now().plusSeconds(1));
  }

  @Test
  @DisplayName("refresh rotates: a new pair each time; the old refresh token again → TOKEN_REUSED and the family is revoked")
  void rotationAndReuse() {
    JsonObject first = tokens(app, newUser(app));
    HttpResponse<String> r = refresh(first.getString("refresh_token"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonObject second = remember(json(r));
    assertThat(second.getString("refresh_token")).isNotEqualTo(first.getString("refresh_token"));
    assertThat(second.getString("access_token")).isNotEqualTo(first.getString("access_token"));
    assertThat(second.getLong("refresh_expires_in")).as("absolute lifetime, not extended")
        .isLessThanOrEqualTo(first.getLong("refresh_expires_in"));
    JsonObject third = remember(json(refresh(second.getString("refresh_token"))));
    assertThat(me(third.getString("access_token")).statusCode()).isEqualTo(200);

    assertError(refresh(first.getString("refresh_token")), 401, "TOKEN_REUSED");
    // the whole family is gone: the newest refresh token and the access tokens of this sign-in
    assertError(refresh(third.getString("refresh_token")), 401, "TOKEN_INVALID");
    assertError(me(third.getString("access_token")), 401, "TOKEN_INVALID");
    assertError(refresh(second.getString("refresh_token")), 401, "TOKEN_REUSED");
  }

  @Test
  @DisplayName("two parallel refreshes with the same token: exactly one succeeds, the other gets TOKEN_REUSED")
  void parallelRefresh() throws Exception {
    for (int round = 0; round < 3; round++) {
      String token = tokens(app, newUser(app)).getString("refresh_token");
      ExecutorService pool = Executors.newFixedThreadPool(2);
      CountDownLatch go = new CountDownLatch(1);
      try {
        List<Future<HttpResponse<String>>> results = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
          results.add(pool.submit((Callable<HttpResponse<String>>) () -> {
            go.await();
            return refresh(token);
          }));
        }
        go.countDown();
        int ok = 0;
        for (Future<HttpResponse<String>> f : results) {
          HttpResponse<String> r = f.get();
          if (r.statusCode() == 200) {
            ok++;
            remember(json(r));
          } else {
            assertError(r, 401, "TOKEN_REUSED");
          }
        }
        assertThat(ok).isEqualTo(1);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  @DisplayName("refresh: missing token → 400 REFRESH_TOKEN_REQUIRED; garbage → 401 INVALID_TOKEN_FORMAT; an access token → TOKEN_INVALID")
  void refreshErrors() {
    assertError(postJson(app, AUTH + "/refresh", new JsonObject()), 400, "REFRESH_TOKEN_REQUIRED");
    assertError(refresh(""), 400, "REFRESH_TOKEN_REQUIRED");
    assertError(refresh("not a token"), 401, "INVALID_TOKEN_FORMAT");
    JsonObject tokens = tokens(app, newUser(app));
    assertError(refresh(tokens.getString("access_token")), 401, "TOKEN_INVALID");
    assertGrpcError(grpc(calls, "RefreshToken", RefreshTokenRequest.newBuilder().build(), TokenReply.newBuilder()),
        "INVALID_ARGUMENT", "REFRESH_TOKEN_REQUIRED");
  }

  @Test
  @DisplayName("logout deny-lists the access token: me then fails on REST and gRPC; the session's refresh token is revoked")
  void logout() {
    String username = newUser(app);
    JsonObject tokens = tokens(app, username);
    JsonObject otherSession = tokens(app, username);
    String[] grpcAuth = {"authorization", "Bearer " + tokens.getString("access_token")};
    GrpcCalls.Result<MeReply> before = grpc(calls, "Me", MeRequest.getDefaultInstance(), MeReply.newBuilder(), grpcAuth);
    assertThat(before.reply().getUsername())
        .isEqualTo(username);

    HttpResponse<String> out = app.post(AUTH + "/logout", null, "", bearer(tokens));
    assertThat(out.statusCode()).as(out.body()).isEqualTo(200);
    assertThat(json(out)).isEqualTo(new JsonObject().put("success", true));

    assertError(me(tokens.getString("access_token")), 401, "TOKEN_INVALID");
    assertGrpcError(grpc(calls, "Me", MeRequest.getDefaultInstance(), MeReply.newBuilder(), grpcAuth),
        "UNAUTHENTICATED", "TOKEN_INVALID");
    assertError(refresh(tokens.getString("refresh_token")), 401, "TOKEN_INVALID");
    assertThat(me(otherSession.getString("access_token")).statusCode()).as("other sessions live on").isEqualTo(200);
  }

  @Test
  @DisplayName("logout {all_sessions:true} (over gRPC) ends every session of the user")
  void logoutAllSessions() {
    String username = newUser(app);
    JsonObject a = tokens(app, username);
    JsonObject b = tokens(app, username);
    GrpcCalls.Result<SuccessReply> out = grpc(calls, "Logout", LogoutRequest.newBuilder().setAllSessions(true).build(),
        SuccessReply.newBuilder(), "authorization", "Bearer " + a.getString("access_token"));
    assertThat(out.reply().getSuccess()).isTrue();
    assertError(me(b.getString("access_token")), 401, "TOKEN_INVALID");
    assertError(refresh(b.getString("refresh_token")), 401, "TOKEN_INVALID");
    assertError(postJson(app, AUTH + "/logout", new JsonObject().put("all_sessions", "yes"), bearer(tokens(app, username))),
        400, "VALIDATION_FAILED");
  }

  @Test
  @DisplayName("protected routes: no header → TOKEN_MISSING; not Bearer/not a JWT → INVALID_TOKEN_FORMAT")
  void headerErrors() {
    assertError(app.get(AUTH + "/me"), 401, "TOKEN_MISSING");
    assertError(app.get(AUTH + "/me", "Authorization", "Basic dXNlcjpwYXNz"), 401, "INVALID_TOKEN_FORMAT");
    assertError(app.get(AUTH + "/me", "Authorization", "Bearer"), 401, "INVALID_TOKEN_FORMAT");
    assertError(app.get(AUTH + "/me", "Authorization", "Bearer abc"), 401, "INVALID_TOKEN_FORMAT");
    assertError(app.post(AUTH + "/logout", "application/json", "{}"), 401, "TOKEN_MISSING");
    assertError(app.post(AUTH + "/totp/setup", null, ""), 401, "TOKEN_MISSING");
    assertGrpcError(grpc(calls, "Me", MeRequest.getDefaultInstance(), MeReply.newBuilder()), "UNAUTHENTICATED", "TOKEN_MISSING");
    assertGrpcError(grpc(calls, "Me", MeRequest.getDefaultInstance(), MeReply.newBuilder(), "authorization", "Token x"),
        "UNAUTHENTICATED", "INVALID_TOKEN_FORMAT");
  }

  @Test
  @DisplayName("attack: alg none → TOKEN_INVALID")
  void algNone() {
    JsonObject claims = validClaims(tokens(app, newUser(app)));
    String none = Jwts.unsigned(claims);
    assertError(me(none), 401, "TOKEN_INVALID");
    assertGrpcError(grpc(calls, "Me", MeRequest.getDefaultInstance(), MeReply.newBuilder(), "authorization", "Bearer " + none),
        "UNAUTHENTICATED", "TOKEN_INVALID");
  }

  @Test
  @DisplayName("attack: a tampered payload (another user id, same signature) → TOKEN_INVALID")
  void tampered() {
    String access = tokens(app, newUser(app)).getString("access_token");
    JsonObject claims = Jwts.claims(access).put("sub", "1").put("username", "admin");
    assertError(me(Jwts.withPayload(access, claims)), 401, "TOKEN_INVALID");
    // a signature character from the middle: each carries six bits of the signature, whereas the
    // last one of an HS256 signature also carries two unused bits a decoder ignores ("…AC" and "…AA"
    // can be the same signature)
    int at = access.length() - 5;
    char other = access.charAt(at) == 'A' ? 'B' : 'A';
    assertError(me(access.substring(0, at) + other + access.substring(at + 1)), 401, "TOKEN_INVALID");
    // one character too many (4k + 1 is no base64 length): in the signature a bad signature, before it no JWT
    assertError(me(access + "A"), 401, "TOKEN_INVALID");
    assertError(me(access.substring(0, access.lastIndexOf('.') + 1)), 401, "TOKEN_INVALID"); // no signature at all
    int dot = access.indexOf('.');
    assertError(me(access.substring(0, dot) + "A" + access.substring(dot)), 401, "INVALID_TOKEN_FORMAT");
  }

  @Test
  @DisplayName("attack: signed with another secret → TOKEN_INVALID; signed right but expired → TOKEN_EXPIRED")
  void wrongKeyAndExpired() {
    JsonObject claims = validClaims(tokens(app, newUser(app)));
    assertError(me(Jwts.hs256(claims, "some-other-secret-of-enough-length-0123".getBytes(StandardCharsets.UTF_8))), 401,
        "TOKEN_INVALID");
    long now = Instant.now().getEpochSecond();
    assertThat(me(Jwts.hs256(claims, SECRET)).statusCode()).as("the forging helper itself is right").isEqualTo(200);
    assertError(me(Jwts.hs256(claims.copy().put("iat", now - 7200).put("nbf", now - 7200).put("exp", now - 3600), SECRET)),
        401, "TOKEN_EXPIRED");
    assertThat(me(Jwts.hs256(claims.copy().put("exp", now - 10), SECRET)).statusCode()).as("within the 30s leeway")
        .isEqualTo(200);
  }

  @Test
  @DisplayName("attack: not yet valid (nbf in the future) → TOKEN_INVALID; wrong iss or aud → TOKEN_INVALID")
  void notYetValidAndWrongIssuer() {
    JsonObject claims = validClaims(tokens(app, newUser(app)));
    long now = Instant.now().getEpochSecond();
    assertError(me(Jwts.hs256(claims.copy().put("nbf", now + 3600).put("iat", now + 3600), SECRET)), 401, "TOKEN_INVALID");
    // another instance's clock a little ahead: the 30 s leeway holds for iat and nbf as it does for exp
    assertThat(me(Jwts.hs256(claims.copy().put("nbf", now + 10).put("iat", now + 10), SECRET)).statusCode())
        .as("issued 10 s ahead, within the leeway").isEqualTo(200);
    assertError(me(Jwts.hs256(claims.copy().put("iss", "evil"), SECRET)), 401, "TOKEN_INVALID");
    assertError(me(Jwts.hs256(claims.copy().put("aud", "another-service"), SECRET)), 401, "TOKEN_INVALID");
    JsonObject noAudience = claims.copy();
    noAudience.remove("aud");
    assertError(me(Jwts.hs256(noAudience, SECRET)), 401, "TOKEN_INVALID");
  }

  @Test
  @DisplayName("attack: a refresh token used as an access token → TOKEN_INVALID (REST and gRPC)")
  void refreshAsAccess() {
    String refresh = tokens(app, newUser(app)).getString("refresh_token");
    assertError(me(refresh), 401, "TOKEN_INVALID");
    assertGrpcError(grpc(calls, "Me", MeRequest.getDefaultInstance(), MeReply.newBuilder(), "authorization",
        "Bearer " + refresh), "UNAUTHENTICATED", "TOKEN_INVALID");
  }

  @Test
  @DisplayName("with HS256 there is no JWK set: /.well-known/jwks.json → 404 NOT_FOUND")
  void noJwks() {
    assertError(app.get("/.well-known/jwks.json"), 404, "NOT_FOUND");
  }
}
