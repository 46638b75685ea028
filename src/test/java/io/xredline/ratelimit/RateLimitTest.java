package io.xredline.ratelimit;

import com.google.protobuf.Message;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.health.v1.HealthCheckRequest;
import io.vertx.grpc.health.v1.HealthCheckResponse;
import io.xredline.api.auth.v1.LoginRequest;
import io.xredline.api.auth.v1.TokenReply;
import io.xredline.api.helloworld.v1.HelloReply;
import io.xredline.api.helloworld.v1.HelloRequest;
import io.xredline.auth.AuthApi;
import io.xredline.grpc.GrpcErrors;
import io.xredline.testing.CapturedLogs;
import io.xredline.testing.Eventually;
import io.xredline.testing.GrpcCalls;
import io.xredline.testing.MetricsScrape;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CONTRACT §9 over real HTTP and gRPC on one Redis. The app trusts 127.0.0.1 as a proxy, so each
 * test speaks for its own client addresses through X-Forwarded-For and budgets never mix; no
 * assertion depends on how fast requests are sent (long windows, or "until the first 429").
 */
@DisplayName("rate limits: per-address default, named policies, shared budget, 429/RESOURCE_EXHAUSTED, headers, metric")
// several scenarios start instances of their own (two for the shared budget) or send a few hundred
// requests: beyond the 30 s default when both cores are busy (seen: 17 s at load 20)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RateLimitTest {
  static final String CODE = "Q7XK2M";
  private static final AtomicInteger CLIENTS = new AtomicInteger();
  /** Named policies tightened, the per-address default generous (a login is two requests: captcha, login). */
  private static TestApp app;
  /** The per-address default tight: 1 per second, a burst of 2. */
  private static TestApp tight;
  private static GrpcCalls calls;

  static Map<String, String> limits(String... pairs) {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("auth.captcha.fixed_code", CODE);
    o.put("security.rate_limit.enabled", "true");
    // every named policy generous unless a test tightens it; a long window so nothing refills mid-test
    for (String policy : List.of("login_ip", "login_account", "register_ip", "captcha_ip", "code_target",
        "code_target_day", "password_reset")) {
      o.put("security.rate_limit.policies." + policy + ".limit", "1000");
      o.put("security.rate_limit.policies." + policy + ".per", "1h");
    }
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      o.put(pairs[i], pairs[i + 1]);
    }
    return o;
  }

  @BeforeAll
  static void start() {
    app = TestApp.start("ratelimit", limits(
        "security.trusted_proxies", "127.0.0.1/32",
        "security.rate_limit.default.requests_per_second", "1000",
        "security.rate_limit.default.burst", "1000",
        "security.rate_limit.policies.login_ip.limit", "2",
        "security.rate_limit.policies.login_account.limit", "2",
        "security.rate_limit.policies.captcha_ip.limit", "3",
        "security.rate_limit.policies.code_target.limit", "1",
        "security.rate_limit.policies.code_target.per", "60s",
        "security.rate_limit.policies.code_target_day.limit", "2",
        "security.rate_limit.policies.code_target_day.per", "1d"));
    tight = TestApp.start("ratelimittight", limits(
        "security.trusted_proxies", "127.0.0.1/32",
        "server.http.frontend_dir", "src/test/resources/frontend-fixture",
        "security.rate_limit.default.requests_per_second", "1",
        "security.rate_limit.default.burst", "2"));
    calls = new GrpcCalls(tight.grpcPort());
  }

  @AfterAll
  static void stop() {
    calls.close();
    tight.close();
    app.close();
  }

  /** A client address of its own for each use, from TEST-NET-3. */
  static String client() {
    int n = CLIENTS.incrementAndGet();
    return "203.0.113." + n;
  }

  static String[] from(String ip) {
    return new String[] {"X-Forwarded-For", ip};
  }

  static JsonObject json(HttpResponse<String> r) {
    return TestApp.json(r);
  }

  /** The first 429 of a series of identical requests; the bucket refills at 1/s, far slower than requests arrive. */
  static HttpResponse<String> untilRefused(java.util.function.Supplier<HttpResponse<String>> request, List<HttpResponse<String>> allowed) {
    for (int i = 0; i < 500; i++) {
      HttpResponse<String> r = request.get();
      if (r.statusCode() == 429) {
        return r;
      }
      allowed.add(r);
    }
    throw new AssertionError("no 429 in 500 requests");
  }

  static void assertRateLimited(HttpResponse<String> r, String policy, long quota, long window) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
    JsonObject body = json(r);
    assertThat(body.getString("reason")).isEqualTo("RATE_LIMITED");
    assertThat(body.getInteger("code")).isEqualTo(429);
    assertThat(body.getString("request_id")).isEqualTo(r.headers().firstValue("X-Request-ID").orElseThrow());
    JsonObject metadata = body.getJsonObject("metadata");
    assertThat(metadata.getString("policy")).isEqualTo(policy);
    long retry = metadata.getLong("retry_after_seconds");
    assertThat(retry).isBetween(1L, window);
    assertThat(r.headers().firstValue("Retry-After")).hasValue(String.valueOf(retry));
    assertThat(r.headers().firstValue("RateLimit-Policy")).hasValue("\"" + policy + "\";q=" + quota + ";w=" + window);
    assertThat(r.headers().firstValue("RateLimit")).hasValue("\"" + policy + "\";r=0;t=" + retry);
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
  }

  private static String captchaId(String ip) {
    HttpResponse<String> r = app.get("/api/v1/auth/captcha", from(ip));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json(r).getString("captcha_id");
  }

  /** A login body; its captcha comes from another address, so only the login itself counts against {@code ip}. */
  private static JsonObject login(String ip, String username) {
    return new JsonObject().put("username", username).put("password", "Wrong-Password-1")
        .put("captcha_id", captchaId(client())).put("captcha_code", CODE);
  }

  private static HttpResponse<String> post(String path, JsonObject body, String ip) {
    return app.post(path, "application/json", body.encode(), from(ip));
  }

  @Test
  @DisplayName("default: every API route per client address; the burst passes with RateLimit headers, then 429 with Retry-After")
  void defaultPerAddress() {
    String ip = client();
    List<HttpResponse<String>> allowed = new CopyOnWriteArrayList<>();
    HttpResponse<String> refused = untilRefused(() -> tight.get("/helloworld/limits", from(ip)), allowed);
    assertThat(allowed).as("the whole burst passes").hasSizeGreaterThanOrEqualTo(2);
    assertThat(allowed.get(0).statusCode()).isEqualTo(200);
    assertThat(allowed.get(0).headers().firstValue("RateLimit-Policy")).hasValue("\"default\";q=2;w=2");
    assertThat(allowed.get(0).headers().firstValue("RateLimit")).hasValueSatisfying(v ->
        assertThat(v).matches("\"default\";r=1;t=[01]"));
    assertRateLimited(refused, "default", 2, 2);
    // another address is not affected
    assertThat(tight.get("/helloworld/limits", from(client())).statusCode()).isEqualTo(200);
    double counted = MetricsScrape.of(tight).sum("xredline_rate_limited_total", Map.of("policy", "default"));
    assertThat(counted).isGreaterThanOrEqualTo(1);
  }

  @Test
  @DisplayName("probes, /metrics and the frontend's files are never limited, even for an address that is")
  void neverLimited() {
    String ip = client();
    untilRefused(() -> tight.get("/api/v1/no-such-route", from(ip)), new CopyOnWriteArrayList<>());
    for (int i = 0; i < 15; i++) {
      for (String path : List.of("/healthz/live", "/healthz/ready", "/health", "/healthz/startup", "/metrics", "/",
          "/assets/app-1a2b3c.js", "/sign-in")) {
        HttpResponse<String> r = tight.get(path, "X-Forwarded-For", ip, "Accept", "text/html");
        assertThat(r.statusCode()).as(path).isNotEqualTo(429);
        assertThat(r.headers().firstValue("RateLimit")).as(path).isEmpty();
      }
    }
    try (GrpcCalls health = new GrpcCalls(tight.grpcPort())) {
      for (int i = 0; i < 15; i++) {
        GrpcCalls.Result<Message> r = health.unary("grpc.health.v1.Health", "Check", HealthCheckRequest.getDefaultInstance(),
            HealthCheckResponse.newBuilder(), "x-forwarded-for", ip);
        assertThat(r.status().name()).isEqualTo("OK");
      }
    }
  }

  @Test
  @DisplayName("gRPC: the same default per address → RESOURCE_EXHAUSTED with reason RATE_LIMITED, ErrorInfo and RetryInfo")
  void grpcDefault() throws Exception {
    String ip = client();
    GrpcCalls.Result<HelloReply> refused = null;
    for (int i = 0; i < 500 && refused == null; i++) {
      GrpcCalls.Result<HelloReply> r = calls.unary("helloworld.v1.Greeter", "SayHello",
          HelloRequest.newBuilder().setName("grpc").build(), HelloReply.newBuilder(), "x-forwarded-for", ip);
      if (r.status().name().equals("RESOURCE_EXHAUSTED")) {
        refused = r;
      } else {
        assertThat(r.status().name()).isEqualTo("OK");
      }
    }
    assertThat(refused).as("a refusal within 500 calls").isNotNull();
    assertThat(refused.trailers().get(GrpcErrors.REASON_TRAILER)).isEqualTo("RATE_LIMITED");
    com.google.rpc.Status details = com.google.rpc.Status.parseFrom(
        Base64.getDecoder().decode(refused.trailers().get(GrpcErrors.DETAILS_TRAILER)));
    ErrorInfo info = details.getDetails(0).unpack(ErrorInfo.class);
    assertThat(info.getReason()).isEqualTo("RATE_LIMITED");
    assertThat(info.getMetadataMap()).containsEntry("policy", "default");
    RetryInfo retry = details.getDetailsList().stream().filter(a -> a.is(RetryInfo.class)).findFirst().orElseThrow()
        .unpack(RetryInfo.class);
    assertThat(retry.getRetryDelay().getSeconds()).isBetween(1L, 2L)
        .isEqualTo(Long.parseLong(info.getMetadataMap().get("retry_after_seconds")));
  }

  @Test
  @DisplayName("login_ip: the 3rd login from one address within the window → 429 on REST and gRPC, before the captcha is spent")
  void loginPerAddress() {
    String ip = client();
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> r = post("/api/v1/auth/login", login(ip, "nobody_" + i + "_" + ip.replace('.', '_')), ip);
      assertThat(json(r).getString("reason")).isEqualTo("INVALID_CREDENTIALS");
    }
    JsonObject third = login(ip, "somebody_else");
    assertRateLimited(post("/api/v1/auth/login", third, ip), "login_ip", 2, 3600);
    GrpcCalls.Result<TokenReply> grpc;
    try (GrpcCalls appCalls = new GrpcCalls(app.grpcPort())) {
      grpc = appCalls.unary("auth.v1.Auth", "Login", LoginRequest.newBuilder()
        .setUsername("grpc_user").setPassword("Wrong-Password-1").setCaptchaId(captchaId(client())).setCaptchaCode(CODE).build(),
          TokenReply.newBuilder(), "x-forwarded-for", ip);
    }
    assertThat(grpc.status().name()).isEqualTo("RESOURCE_EXHAUSTED");
    assertThat(grpc.trailers().get(GrpcErrors.REASON_TRAILER)).isEqualTo("RATE_LIMITED");
    assertThat(post("/api/v1/auth/captcha/verify", new JsonObject().put("captcha_id", third.getString("captcha_id"))
        .put("captcha_code", CODE), client()).statusCode()).as("the refused login left its captcha unspent").isEqualTo(200);
  }

  @Test
  @DisplayName("login_account: counted per login name as typed, whatever the address; another name is not affected")
  void loginPerName() {
    String name = "target_" + CLIENTS.incrementAndGet();
    for (int i = 0; i < 2; i++) {
      String ip = client();
      assertThat(json(post("/api/v1/auth/login", login(ip, name), ip)).getString("reason")).isEqualTo("INVALID_CREDENTIALS");
    }
    String ip = client();
    assertRateLimited(post("/api/v1/auth/login", login(ip, name.toUpperCase()), ip), "login_account", 2, 3600);
    assertThat(json(post("/api/v1/auth/login", login(ip, name + "x"), ip)).getString("reason")).isEqualTo("INVALID_CREDENTIALS");
  }

  @Test
  @DisplayName("captcha_ip: the 4th captcha of any type from one address → 429")
  void captchaPerAddress() {
    String ip = client();
    assertThat(app.get("/api/v1/auth/captcha", from(ip)).statusCode()).isEqualTo(200);
    assertThat(app.get("/api/v1/auth/captcha?captcha_type=image", from(ip)).statusCode()).isEqualTo(200);
    assertThat(app.get("/api/v1/auth/captcha?captcha_type=email&target=cap-" + ip + "@example.com", from(ip)).statusCode())
        .isEqualTo(200);
    assertRateLimited(app.get("/api/v1/auth/captcha", from(ip)), "captcha_ip", 3, 3600);
  }

  @Test
  @DisplayName("code_target: one send per address per minute (any client, any case); code_target_day: 2 a day; both decided together")
  void sendsPerTarget() {
    String target = "Sends-" + CLIENTS.incrementAndGet() + "@Example.com";
    assertThat(app.get("/api/v1/auth/captcha?captcha_type=email&target=" + target, from(client())).statusCode()).isEqualTo(200);
    assertRateLimited(app.get("/api/v1/auth/captcha?captcha_type=email&target=" + target.toLowerCase(), from(client())),
        "code_target", 1, 60);
    assertThat(app.get("/api/v1/auth/captcha?captcha_type=sms&target=1380000" + (1000 + CLIENTS.incrementAndGet()),
        from(client())).statusCode()).as("another target").isEqualTo(200);

    try (TestApp daily = TestApp.start("ratelimitday", limits("security.trusted_proxies", "127.0.0.1/32",
        "security.rate_limit.policies.code_target_day.limit", "2", "security.rate_limit.policies.code_target_day.per", "1d"))) {
      String phone = "13900001111";
      for (int i = 0; i < 2; i++) {
        assertThat(daily.get("/api/v1/auth/captcha?captcha_type=sms&target=" + phone, from(client())).statusCode()).isEqualTo(200);
      }
      HttpResponse<String> third = daily.get("/api/v1/auth/captcha?captcha_type=sms&target=%2B86" + phone, from(client()));
      assertThat(third.statusCode()).isEqualTo(429);
      assertThat(json(third).getJsonObject("metadata").getString("policy")).as("E.164 and CN forms are one target")
          .isEqualTo("code_target_day");
      assertThat(third.headers().firstValue("RateLimit-Policy")).hasValue("\"code_target_day\";q=2;w=86400");
    }
  }

  @Test
  @DisplayName("register_ip across two instances sharing Redis: one budget, the 3rd registration is refused on either")
  void sharedAcrossInstances() {
    String prefix = TestBackends.freshKeyPrefix("rlshared");
    Map<String, String> shared = limits("data.redis.key_prefix", prefix, "security.rate_limit.policies.register_ip.limit", "2");
    try (TestApp a = TestApp.start("rlshared", shared)) {
      shared.put("data.database.url", a.databaseUrl());
      try (TestApp b = TestApp.start("rlshared", shared)) {
        int n = 0;
        for (TestApp instance : List.of(a, b, a)) {
          String name = "shared_" + CLIENTS.incrementAndGet();
          JsonObject body = new JsonObject().put("username", name).put("password", "Corr3ct-Horse-Battery")
              .put("email", name + "@example.com").put("captcha_id", json(instance.get("/api/v1/auth/captcha"))
                  .getString("captcha_id")).put("captcha_code", CODE);
          HttpResponse<String> r = instance.post("/api/v1/auth/register", "application/json", body.encode());
          if (++n <= 2) {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
          } else {
            assertRateLimited(r, "register_ip", 2, 3600);
          }
        }
      }
    }
  }

  @Test
  @DisplayName("without trusted proxies a spoofed X-Forwarded-For changes nothing: limits, audit and access log see the socket address")
  void spoofedHeaderIgnored() {
    try (TestApp plain = TestApp.start("rlspoof", limits("security.rate_limit.policies.login_ip.limit", "2"));
         CapturedLogs logs = CapturedLogs.json()) {
      List<JsonObject> events = new CopyOnWriteArrayList<>();
      plain.app().vertx().eventBus().<JsonObject>consumer(AuthApi.EVENTS_PREFIX + "login_failure", m -> events.add(m.body()));
      for (int i = 0; i < 2; i++) {
        String id = json(plain.get("/api/v1/auth/captcha")).getString("captcha_id");
        JsonObject body = new JsonObject().put("username", "spoof_" + i).put("password", "Wrong-Password-1")
            .put("captcha_id", id).put("captcha_code", CODE);
        assertThat(plain.post("/api/v1/auth/login", "application/json", body.encode(), "X-Forwarded-For", "198.51.100." + i,
            "X-Request-ID", "spoof-" + i).statusCode()).isEqualTo(401);
      }
      String id = json(plain.get("/api/v1/auth/captcha")).getString("captcha_id");
      HttpResponse<String> third = plain.post("/api/v1/auth/login", "application/json", new JsonObject()
          .put("username", "spoof_x").put("password", "Wrong-Password-1").put("captcha_id", id).put("captcha_code", CODE)
          .encode(), "X-Forwarded-For", "198.51.100.77", "Forwarded", "for=198.51.100.78");
      assertRateLimited(third, "login_ip", 2, 3600);
      Eventually.await("both audit events", () -> events.size() >= 2);
      assertThat(events).extracting(e -> e.getString("ip")).containsOnly("127.0.0.1");
      List<JsonObject> access = Eventually.value("the access lines", () -> logs.json(l -> "xredline.access".equals(
          l.getString("logger")) && String.valueOf(l.getString("request_id")).startsWith("spoof-")), l -> l.size() >= 2);
      assertThat(access).extracting(l -> l.getString("remote_ip")).containsOnly("127.0.0.1");
    }
  }

  @Test
  @DisplayName("through a trusted proxy the forwarded address is the client for audit and the access log too")
  void trustedProxyAddress() {
    List<JsonObject> events = new CopyOnWriteArrayList<>();
    var consumer = app.app().vertx().eventBus().<JsonObject>consumer(AuthApi.EVENTS_PREFIX + "login_failure",
        m -> events.add(m.body()));
    try (CapturedLogs logs = CapturedLogs.json()) {
      String ip = client();
      HttpResponse<String> r = app.post("/api/v1/auth/login", "application/json", login(ip, "proxied_user").encode(),
          "X-Forwarded-For", "10.9.9.9, " + ip, "X-Request-ID", "proxied-1");
      assertThat(r.statusCode()).isEqualTo(401);
      JsonObject event = Eventually.value("the audit event", () -> events.stream()
          .filter(e -> "proxied-1".equals(e.getString("request_id"))).findFirst().orElse(null), java.util.Objects::nonNull);
      assertThat(event.getString("ip")).as("the right-most address that is not a trusted proxy").isEqualTo(ip);
      JsonObject line = Eventually.value("the access line", () -> logs.json(l -> "proxied-1".equals(l.getString("request_id"))
          && "xredline.access".equals(l.getString("logger"))).stream().findFirst().orElse(null), java.util.Objects::nonNull);
      assertThat(line.getString("remote_ip")).isEqualTo(ip);
    } finally {
      consumer.unregister();
    }
  }
}
