package io.xredline.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.xredline.api.auth.v1.ListSessionsReply;
import io.xredline.api.auth.v1.ListSessionsRequest;
import io.xredline.api.auth.v1.RevokeSessionRequest;
import io.xredline.api.auth.v1.SuccessReply;
import io.xredline.testing.GrpcCalls;
import io.xredline.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10 point 3: the account's sessions (refresh-token families) with when they began, when
 * they were last refreshed, from where and with what client, which one is asking; one can be ended.
 */
@DisplayName("sessions: list own sign-ins with their metadata, revoke one — REST and gRPC")
class SessionsTest extends AuthTestBase {
  private static TestApp app;
  private static GrpcCalls calls;

  @BeforeAll
  static void start() {
    app = TestApp.start("sessions", overrides("security.trusted_proxies", "127.0.0.1/32"));
    calls = new GrpcCalls(app.grpcPort());
  }

  @AfterAll
  static void stop() {
    calls.close();
    app.close();
    assertNoSecretsLogged();
  }

  private static JsonObject signIn(String username, String ip, String agent) {
    HttpResponse<String> r = postJson(app, AUTH + "/login", loginBody(app, username, PASSWORD), "X-Forwarded-For", ip,
        "User-Agent", agent);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return remember(json(r));
  }

  private static JsonArray sessions(JsonObject tokens) {
    HttpResponse<String> r = app.get(AUTH + "/sessions", bearer(tokens));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json(r).getJsonArray("sessions");
  }

  private static HttpResponse<String> revoke(JsonObject tokens, String sessionId) {
    return TestApp.send(HttpRequest.newBuilder(app.uri(AUTH + "/sessions/" + sessionId)).timeout(Duration.ofSeconds(20))
        .header("Authorization", "Bearer " + tokens.getString("access_token")).DELETE().build());
  }

  private static JsonObject find(JsonArray sessions, String ip) {
    return sessions.stream().map(JsonObject.class::cast).filter(s -> ip.equals(s.getString("ip"))).findFirst().orElseThrow();
  }

  @Test
  @DisplayName("each sign-in is listed with created_at, last_used_at, ip and user agent; current marks the asking one; a refresh moves last_used_at")
  void listsOwnSessions() {
    String username = newUser(app);
    Instant before = Instant.now().minusSeconds(2);
    JsonObject laptop = signIn(username, "198.51.100.10", "Laptop-Browser/1.0");
    JsonObject phone = signIn(username, "198.51.100.20", "Phone-App/2.0");
    JsonArray seen = sessions(laptop);
    assertThat(seen).hasSize(2);
    JsonObject mine = find(seen, "198.51.100.10");
    assertThat(mine.getBoolean("current")).isTrue();
    assertThat(mine.getString("user_agent")).isEqualTo("Laptop-Browser/1.0");
    assertThat(Instant.parse(mine.getString("created_at"))).isAfterOrEqualTo(before.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    assertThat(mine.getString("last_used_at")).isEqualTo(mine.getString("created_at"));
    JsonObject other = find(seen, "198.51.100.20");
    assertThat(other.getBoolean("current")).isFalse();
    assertThat(other.getString("user_agent")).isEqualTo("Phone-App/2.0");
    assertThat(find(sessions(phone), "198.51.100.20").getBoolean("current")).isTrue();
    assertThat(sessions(tokens(app, newUser(app)))).as("only one's own").hasSize(1);

    // last_used_at moves on refresh: poll the clock to the next second instead of sleeping a fixed time
    String created = other.getString("created_at");
    io.xredline.testing.Eventually.await("a new second", () -> Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
        .isAfter(Instant.parse(created)));
    HttpResponse<String> refreshed = postJson(app, AUTH + "/refresh", new JsonObject().put("refresh_token",
        phone.getString("refresh_token")));
    assertThat(refreshed.statusCode()).isEqualTo(200);
    JsonObject afterRefresh = find(sessions(remember(json(refreshed))), "198.51.100.20");
    assertThat(afterRefresh.getString("session_id")).isEqualTo(other.getString("session_id"));
    assertThat(Instant.parse(afterRefresh.getString("last_used_at"))).isAfter(Instant.parse(created));
    assertThat(afterRefresh.getString("created_at")).isEqualTo(created);
  }

  @Test
  @DisplayName("revoking one session ends its tokens and only its; another account's or an unknown id → 404; revoked twice → 404")
  void revokeOne() {
    String username = newUser(app);
    JsonObject a = signIn(username, "198.51.100.30", "A/1");
    JsonObject b = signIn(username, "198.51.100.31", "B/1");
    String bId = find(sessions(a), "198.51.100.31").getString("session_id");
    JsonObject stranger = tokens(app, newUser(app));
    assertError(revoke(stranger, bId), 404, "NOT_FOUND");
    assertError(revoke(a, "not%20a%20session"), 404, "NOT_FOUND");
    HttpResponse<String> revoked = revoke(a, bId);
    assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
    assertError(app.get(AUTH + "/me", bearer(b)), 401, "TOKEN_INVALID");
    assertError(postJson(app, AUTH + "/refresh", new JsonObject().put("refresh_token", b.getString("refresh_token"))), 401,
        "TOKEN_INVALID");
    assertThat(app.get(AUTH + "/me", bearer(a)).statusCode()).isEqualTo(200);
    assertThat(sessions(a)).hasSize(1);
    assertError(revoke(a, bId), 404, "NOT_FOUND");
    // revoking the current one signs out
    String aId = find(sessions(a), "198.51.100.30").getString("session_id");
    assertThat(revoke(a, aId).statusCode()).isEqualTo(200);
    assertError(app.get(AUTH + "/me", bearer(a)), 401, "TOKEN_INVALID");
  }

  @Test
  @DisplayName("gRPC ListSessions and RevokeSession give the REST answers")
  void grpc() {
    String username = newUser(app);
    JsonObject a = signIn(username, "198.51.100.40", "A/1");
    JsonObject b = signIn(username, "198.51.100.41", "B/1");
    String[] auth = {"authorization", "Bearer " + a.getString("access_token")};
    GrpcCalls.Result<ListSessionsReply> listed = grpc(calls, "ListSessions", ListSessionsRequest.getDefaultInstance(),
        ListSessionsReply.newBuilder(), auth);
    assertThat(listed.reply().getSessionsList()).hasSize(2);
    JsonArray rest = sessions(a);
    for (var s : listed.reply().getSessionsList()) {
      JsonObject same = rest.stream().map(JsonObject.class::cast)
          .filter(r -> r.getString("session_id").equals(s.getSessionId())).findFirst().orElseThrow();
      assertThat(s.getIp()).isEqualTo(same.getString("ip"));
      assertThat(s.getUserAgent()).isEqualTo(same.getString("user_agent"));
      assertThat(s.getCurrent()).isEqualTo(same.getBoolean("current"));
      assertThat(s.getCreatedAt()).isEqualTo(same.getString("created_at"));
    }
    String bId = find(rest, "198.51.100.41").getString("session_id");
    assertGrpcError(grpc(calls, "RevokeSession", RevokeSessionRequest.newBuilder().setSessionId("nope").build(),
        SuccessReply.newBuilder(), auth), "NOT_FOUND", "NOT_FOUND");
    GrpcCalls.Result<SuccessReply> revoked = grpc(calls, "RevokeSession", RevokeSessionRequest.newBuilder().setSessionId(bId)
        .build(), SuccessReply.newBuilder(), auth);
    assertThat(revoked.reply().getSuccess()).as(revoked.message()).isTrue();
    assertError(app.get(AUTH + "/me", bearer(b)), 401, "TOKEN_INVALID");
  }
}
