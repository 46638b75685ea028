package io.xredline.audit;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.xredline.auth.AuthApi;
import io.xredline.testing.Eventually;
import io.xredline.testing.MetricsScrape;
import io.xredline.testing.TcpProxy;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The test publishes auth events itself (the shape AuthEvents publishes) so it controls volume and
 * timing; reading the trail goes through the real auth capability with a real admin and a real
 * user. PostgreSQL is reached through a relay the test can cut.
 */
@DisplayName("The audit trail persists every auth event, survives a PostgreSQL outage, and is readable by admins only")
class AuditTrailTest {
  private static final String PASSWORD = "Audit-trail-pass-29";
  private static String ADMIN;
  private static String USER;
  private static TestApp app;
  private static TcpProxy pgProxy;
  private static String db;

  @BeforeAll
  static void start() throws Exception {
    db = TestBackends.freshDatabase("audit");
    pgProxy = TcpProxy.to(db);
    app = TestApp.start("audit", Map.of("data.database.url", pgProxy.relayed(db)));
    ADMIN = "Bearer " + accessToken("auditroot", true);
    USER = "Bearer " + accessToken("auditbob", false);
  }

  /** A real account created through the auth capability, signed in over REST. */
  private static String accessToken(String username, boolean admin) throws Exception {
    AuthApi.createUser(app.app().vertx().eventBus(), username, PASSWORD, admin, new AuthApi.Origin("audit-test", "127.0.0.1"),
        10_000).toCompletionStage().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
    String captchaId = TestApp.json(app.get("/api/v1/auth/captcha")).getString("captcha_id");
    var login = app.post("/api/v1/auth/login", "application/json", new JsonObject().put("username", username)
        .put("password", PASSWORD).put("captcha_id", captchaId).put("captcha_code", "123456").encode());
    assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
    return TestApp.json(login).getString("access_token");
  }

  @AfterAll
  static void stop() {
    app.close();
    pgProxy.close();
    TestBackends.dropDatabase(db);
  }

  private static void publish(String kind, long userId, String username, String outcome, Instant at) {
    app.app().vertx().eventBus().publish("xredline.events.auth." + kind, new JsonObject()
        .put("kind", kind).put("user_id", userId).put("username", username).put("ip", "10.0.0.7")
        .put("request_id", "rid-" + kind + "-" + userId).put("outcome", outcome).put("at", at.toString()));
  }

  private static long rows(String where) {
    return TestBackends.count(db, "SELECT count(*) FROM operation_logs WHERE " + where);
  }


  /** Read from the instance's registry: polled every 50 ms, so no HTTP round trip per poll. */
  private static double backlog() {
    return app.app().telemetry().registry().get("xredline.audit.backlog").gauge().value();
  }

  @Test
  @DisplayName("a burst of 5,000 events is written completely")
  @Timeout(value = 120, unit = TimeUnit.SECONDS) // 5,000 rows in batches on a loaded two-core machine
  void burst() {
    for (int i = 0; i < 5000; i++) {
      publish("login_failure", 1000 + (i % 7), "burst" + (i % 7), "INVALID_CREDENTIALS", Instant.now());
    }
    Eventually.within(Duration.ofSeconds(90), "5000 rows", () -> rows("username LIKE 'burst%'") == 5000);
    Eventually.await("backlog 0", () -> backlog() == 0);
    assertThat(rows("username = 'burst3' AND kind = 'login_failure' AND ip = '10.0.0.7' AND outcome = 'INVALID_CREDENTIALS'"))
        .isGreaterThan(0);
  }

  @Test
  @DisplayName("with PostgreSQL unreachable, publishing never waits: events wait in the backlog (gauge > 0) and are all written when it returns")
  @Timeout(value = 120, unit = TimeUnit.SECONDS) // the writer's reconnect backoff, then 300 rows, on a loaded machine
  void outage() {
    pgProxy.cut();
    try {
      for (int i = 0; i < 300; i++) {
        publish("lockout", 77, "outage", "LOCKED", Instant.now());
      }
      // every publish above returned although no row can be written: fire-and-forget by construction
      assertThat(rows("username = 'outage'")).as("nothing written while PostgreSQL is unreachable").isZero();
      Eventually.await("backlog to show the waiting events", () -> backlog() >= 300);
      assertThat(app.get("/healthz/live").statusCode()).as("the service still serves").isEqualTo(200);
    } finally {
      pgProxy.restore();
    }
    Eventually.within(Duration.ofSeconds(90), "the 300 events after the outage", () -> rows("username = 'outage'") == 300);
    Eventually.await("backlog 0", () -> backlog() == 0);
    assertThat(MetricsScrape.of(app).sum("xredline_audit_backlog", Map.of())).as("as scraped").isZero();
  }

  @Test
  @DisplayName("GET /api/v1/audit: 401 without a token, 403 for a non-admin, pages newest first with filters for an admin")
  void queryRoute() throws Exception {
    Instant t0 = Instant.parse("2030-01-01T00:00:00Z");
    for (int i = 0; i < 5; i++) {
      publish("login_success", 42, "Alice", "OK", t0.plusSeconds(i));
    }
    publish("logout", 43, "carol", "OK", t0.plusSeconds(10));
    Eventually.await("6 rows", () -> rows("user_id IN (42, 43)") == 6);

    assertThat(app.get("/api/v1/audit").statusCode()).isEqualTo(401);
    assertThat(TestApp.json(app.get("/api/v1/audit")).getString("reason")).isEqualTo("TOKEN_MISSING");
    assertThat(TestApp.json(app.get("/api/v1/audit", "Authorization", "Bearer nope")).getString("reason"))
        .isEqualTo("INVALID_TOKEN_FORMAT");
    String tampered = ADMIN.substring(0, ADMIN.length() - 2) + (ADMIN.endsWith("AA") ? "BB" : "AA");
    assertThat(TestApp.json(app.get("/api/v1/audit", "Authorization", tampered)).getString("reason"))
        .isEqualTo("TOKEN_INVALID");
    var forbidden = app.get("/api/v1/audit", "Authorization", USER);
    assertThat(forbidden.statusCode()).isEqualTo(403);
    assertThat(TestApp.json(forbidden).getString("reason")).isEqualTo("FORBIDDEN");

    var first = TestApp.json(app.get("/api/v1/audit?user=alice&limit=2", "Authorization", ADMIN));
    JsonArray items = first.getJsonArray("items");
    assertThat(items).hasSize(2);
    assertThat(items.getJsonObject(0).getString("at")).isEqualTo(t0.plusSeconds(4).toString());
    assertThat(items.getJsonObject(1).getString("at")).isEqualTo(t0.plusSeconds(3).toString());
    assertThat(items.getJsonObject(0).fieldNames()).contains("id", "at", "kind", "user_id", "username", "ip", "request_id", "outcome");
    String cursor = first.getString("next_cursor");
    assertThat(cursor).isNotNull();

    var second = TestApp.json(app.get("/api/v1/audit?user=42&limit=2&cursor=" + cursor, "Authorization", ADMIN));
    assertThat(second.getJsonArray("items").getJsonObject(0).getString("at")).isEqualTo(t0.plusSeconds(2).toString());
    var last = TestApp.json(app.get("/api/v1/audit?user=42&limit=2&cursor=" + second.getString("next_cursor"),
        "Authorization", ADMIN));
    assertThat(last.getJsonArray("items")).hasSize(1);
    assertThat(last.getString("next_cursor")).isNull();

    String from = URLEncoder.encode(t0.plusSeconds(1).toString(), StandardCharsets.UTF_8);
    String to = URLEncoder.encode(t0.plusSeconds(3).toString(), StandardCharsets.UTF_8);
    var window = TestApp.json(app.get("/api/v1/audit?user=Alice&from=" + from + "&to=" + to, "Authorization", ADMIN));
    assertThat(window.getJsonArray("items")).hasSize(2);
    var carol = TestApp.json(app.get("/api/v1/audit?user=43", "Authorization", ADMIN));
    assertThat(carol.getJsonArray("items")).singleElement().satisfies(i ->
        assertThat(((JsonObject) i).getString("kind")).isEqualTo("logout"));
  }

  @Test
  @DisplayName("bad query parameters are 400 VALIDATION_FAILED naming the field")
  void badParameters() {
    for (String[] c : new String[][] {{"limit=0", "limit"}, {"limit=501", "limit"}, {"limit=x", "limit"},
        {"from=yesterday", "from"}, {"cursor=abc", "cursor"},
        {"from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z", "to"}}) {
      var response = app.get("/api/v1/audit?" + c[0], "Authorization", ADMIN);
      assertThat(response.statusCode()).as(c[0]).isEqualTo(400);
      assertThat(TestApp.json(response).getJsonObject("metadata").getString("field")).as(c[0]).isEqualTo(c[1]);
    }
  }
}
