package io.xredline.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.xredline.auth.AuthApi;
import io.xredline.auth.Totp;
import io.xredline.error.Reason;
import io.xredline.testing.Eventually;
import io.xredline.testing.OpenApiContract;
import io.xredline.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * src/main/resources/openapi/openapi.yaml against the real service: the router's routes and the
 * document's operations are the same set, every example validates against its schema, and live
 * answers validate against the documented responses (TestApp checks every response of every test;
 * this class makes sure each documented success answer is actually seen).
 */
@DisplayName("openapi.yaml describes exactly the routes the router has, with schemas the live answers meet")
class OpenApiTest {
  private static final OpenApiContract CONTRACT = OpenApiContract.get();
  private static final String PASSWORD = "Corr3ct-Horse-Battery";
  /** Routes that serve files, not API operations: the browser app's pages and Swagger UI's assets. */
  private static final Set<String> STATIC_FILE_ROUTES = Set.of("* regex frontend", "GET /docs/*");

  @TempDir
  static Path keys;
  private static TestApp app;

  @BeforeAll
  static void start() throws Exception {
    // RS256, so that /.well-known/jwks.json has keys to answer with (HS256's 404 is seen in TokenTest)
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair pair = generator.generateKeyPair();
    Path privateKey = keys.resolve("jwt.key");
    Path publicKey = keys.resolve("jwt.pub");
    Files.writeString(privateKey, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
    Files.writeString(publicKey, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
    // and a frontend build, so the browser app's page route is there as in the shipped jar
    app = TestApp.start("openapi", Map.of("auth.jwt.algorithm", "RS256",
        "auth.jwt.private_key_file", privateKey.toString(), "auth.jwt.public_key_file", publicKey.toString(),
        "server.http.frontend_dir", Path.of("src/test/resources/frontend-fixture").toAbsolutePath().toString()));
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  @DisplayName("every route of the real router is documented and every documented operation is a route")
  void routerAndDocumentAgree() {
    Set<String> routed = new TreeSet<>();
    for (Route route : HttpServerVerticle.router(app.app().vertx(), app.config(), ApiDescription.read(), null).getRoutes()) {
      if (route.isRegexPath() && route.getPath() == null) {
        routed.add("* regex " + route.getName());
        continue;
      }
      if (route.getPath() == null && route.methods() == null) {
        continue; // request ids, headers, body limit, timeout, failure rendering: every route's chain
      }
      String path = route.getPath().replaceAll(":([A-Za-z0-9_]+)", "{$1}") + (route.isExactPath() ? "" : "*");
      for (HttpMethod method : route.methods()) {
        routed.add(method.name() + " " + path);
      }
    }
    Set<String> documented = CONTRACT.operations().stream().map(op -> op.method() + " " + op.template())
        .collect(Collectors.toCollection(TreeSet::new));

    Set<String> undocumented = new TreeSet<>(routed);
    undocumented.removeAll(documented);
    undocumented.removeAll(STATIC_FILE_ROUTES);
    Set<String> unrouted = new TreeSet<>(documented);
    unrouted.removeAll(routed);
    assertThat(undocumented).as("routes missing from openapi.yaml").isEmpty();
    assertThat(unrouted).as("operations in openapi.yaml that no route serves").isEmpty();
    assertThat(routed).as("the static-file exemptions still name real routes").containsAll(STATIC_FILE_ROUTES);
  }

  @Test
  @DisplayName("every documented operation answers on the running service as a route, not as the router's 404/405")
  void everyDocumentedOperationIsServedLive() {
    for (OpenApiContract.Operation op : CONTRACT.operations()) {
      String path = op.template().replaceAll("\\{[^}]+}", "probe");
      HttpRequest.Builder request = HttpRequest.newBuilder(app.uri(path)).timeout(Duration.ofSeconds(20));
      if (op.method().equals("GET")) {
        request.GET();
      } else {
        request.method(op.method(), HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json");
      }
      HttpResponse<String> response = TestApp.send(request.build());
      String where = op.method() + " " + path + " → " + response.statusCode() + " " + response.body();
      assertThat(response.statusCode()).as(where).isNotEqualTo(405);
      if (response.statusCode() == 404) {
        assertThat(new JsonObject(response.body()).getString("message")).as(where).doesNotStartWith("no route for");
      }
    }
  }

  @Test
  @DisplayName("OpenAPI 3.1, one operationId each, the bearer scheme, and the Reason schema is exactly error/Reason")
  void documentShape() {
    JsonObject doc = CONTRACT.document();
    assertThat(doc.getString("openapi")).startsWith("3.1.");
    JsonObject bearer = doc.getJsonObject("components").getJsonObject("securitySchemes").getJsonObject("bearerAuth");
    assertThat(bearer.getString("type")).isEqualTo("http");
    assertThat(bearer.getString("scheme")).isEqualTo("bearer");
    List<String> ids = CONTRACT.operations().stream().map(op -> op.node().getString("operationId")).toList();
    assertThat(ids).doesNotContainNull().doesNotHaveDuplicates();
    List<String> reasons = doc.getJsonObject("components").getJsonObject("schemas").getJsonObject("Reason")
        .getJsonArray("enum").stream().map(String::valueOf).toList();
    assertThat(reasons).containsExactlyInAnyOrderElementsOf(Arrays.stream(Reason.values()).map(Reason::name).toList());
  }

  @Test
  @DisplayName("429 RATE_LIMITED is listed by exactly the operations the per-address limit covers, with every policy the service has")
  void rateLimitedWhereLimited() {
    for (OpenApiContract.Operation op : CONTRACT.operations()) {
      boolean lists = op.node().getJsonObject("responses").containsKey("429");
      assertThat(lists).as("%s %s lists 429", op.method(), op.template()).isEqualTo(RequestLimits.limited(op.template()));
    }
    List<Object> policies = CONTRACT.document().getJsonObject("components").getJsonObject("responses")
        .getJsonObject("RateLimited").getJsonObject("content").getJsonObject("application/json").getJsonObject("schema")
        .getJsonArray("allOf").getJsonObject(1).getJsonObject("properties").getJsonObject("metadata")
        .getJsonObject("properties").getJsonObject("policy").getJsonArray("enum").getList();
    List<String> expected = new ArrayList<>(List.of(io.xredline.config.AppConfig.RateLimit.DEFAULT));
    expected.addAll(io.xredline.config.AppConfig.RateLimit.POLICIES.keySet());
    assertThat(policies).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  @DisplayName("every error response is the envelope, and every reason it lists has exactly that HTTP status")
  void errorResponsesListReasonsOfTheirStatus() {
    int listed = 0;
    for (OpenApiContract.Operation op : CONTRACT.operations()) {
      boolean bearer = op.node().containsKey("security") && !op.node().getJsonArray("security").isEmpty();
      JsonObject responses = op.node().getJsonObject("responses");
      for (String status : responses.fieldNames()) {
        int code = Integer.parseInt(status);
        if (code < 400) {
          continue;
        }
        JsonObject response = response(responses.getJsonObject(status));
        JsonObject schema = response.getJsonObject("content").getJsonObject("application/json").getJsonObject("schema");
        String where = op.method() + " " + op.template() + " " + status;
        if (schema.encode().contains("#/components/schemas/HealthReport")) {
          continue; // a DOWN probe answers its report, not an error
        }
        assertThat(schema.getJsonArray("allOf").getJsonObject(0).getString("$ref")).as(where)
            .isEqualTo("#/components/schemas/Error");
        JsonObject narrowed = schema.getJsonArray("allOf").getJsonObject(1).getJsonObject("properties");
        assertThat(narrowed.getJsonObject("code").getInteger("const")).as(where).isEqualTo(code);
        JsonObject reason = narrowed.getJsonObject("reason");
        List<Object> values = reason.containsKey("const") ? List.of(reason.getValue("const"))
            : reason.getJsonArray("enum").getList();
        for (Object value : values) {
          assertThat(Reason.valueOf(String.valueOf(value)).status()).as(where + " lists " + value).isEqualTo(code);
          listed++;
        }
      }
      if (bearer) {
        assertThat(responses.fieldNames()).as(op.method() + " " + op.template() + " is protected").contains("401");
      }
    }
    assertThat(listed).isGreaterThan(60);
  }

  @Test
  @DisplayName("every example (bodies, parameters, schemas) validates against the schema it illustrates")
  void examplesValidate() {
    List<String> problems = new ArrayList<>();
    int[] seen = {0};
    JsonObject doc = CONTRACT.document();
    for (OpenApiContract.Operation op : CONTRACT.operations()) {
      JsonArray parameters = op.node().getJsonArray("parameters", new JsonArray());
      for (int i = 0; i < parameters.size(); i++) {
        JsonObject parameter = parameters.getJsonObject(i);
        if (parameter.containsKey("example")) {
          problems.addAll(example(op.pointer() + "/parameters/" + i + "/schema", parameter.getValue("example"), seen));
        }
      }
      if (op.node().containsKey("requestBody")) {
        problems.addAll(mediaExamples(op.pointer() + "/requestBody", op.node().getJsonObject("requestBody"), seen));
      }
      JsonObject responses = op.node().getJsonObject("responses");
      for (String status : responses.fieldNames()) {
        JsonObject response = responses.getJsonObject(status);
        if (!response.containsKey("$ref")) {
          problems.addAll(mediaExamples(op.pointer() + "/responses/" + status, response, seen));
        }
      }
    }
    JsonObject components = doc.getJsonObject("components");
    for (String name : components.getJsonObject("responses").fieldNames()) {
      problems.addAll(mediaExamples("#/components/responses/" + name, components.getJsonObject("responses")
          .getJsonObject(name), seen));
    }
    examplesInSchemas("#/components/schemas", components.getJsonObject("schemas"), problems, seen);
    assertThat(problems).isEmpty();
    assertThat(seen[0]).as("examples checked").isGreaterThan(40);
  }

  @Test
  @DisplayName("the oracle is not blind: it refuses an undocumented status, a missing field, an extra field, a foreign reason, a wrong media type")
  void oracleRefusesWhatTheDocumentDoesNotSay() {
    URI greet = URI.create("http://127.0.0.1/helloworld/ada");
    URI login = URI.create("http://127.0.0.1/api/v1/auth/login");
    java.util.function.Function<String, Optional<String>> json = name -> name.equalsIgnoreCase("Content-Type")
        ? Optional.of("application/json; charset=utf-8") : Optional.of("rid-1");
    assertThat(CONTRACT.check("GET", greet, 200, json, "{\"message\":\"Hello ada\"}")).isEmpty();
    assertThat(CONTRACT.check("GET", greet, 409, json, "{}")).isNotEmpty();
    assertThat(CONTRACT.check("GET", greet, 200, json, "{}")).isNotEmpty();
    assertThat(CONTRACT.check("GET", greet, 200, json, "{\"message\":\"Hello ada\",\"extra\":1}")).isNotEmpty();
    assertThat(CONTRACT.check("POST", login, 401, json, new JsonObject().put("code", 401).put("reason", "TOKEN_REUSED")
        .put("message", "m").put("metadata", new JsonObject()).put("request_id", "r").encode())).isNotEmpty();
    assertThat(CONTRACT.check("POST", login, 401, json, new JsonObject().put("code", 401).put("reason", "TOTP_REQUIRED")
        .put("message", "m").put("metadata", new JsonObject()).put("request_id", "r").encode())).isEmpty();
    assertThat(CONTRACT.check("GET", greet, 200, name -> name.equalsIgnoreCase("Content-Type")
        ? Optional.of("text/html") : Optional.of("rid-1"), "<p>hi</p>")).isNotEmpty();
    assertThat(CONTRACT.check("DELETE", greet, 200, json, "{\"message\":\"Hello ada\"}")).isNotEmpty();
  }

  @Test
  @DisplayName("every documented success answer is seen live and validates: a full walk through every operation")
  void everySuccessAnswerIsSeenLive() throws Exception {
    Map<String, Long> before = CONTRACT.checkedResponses();
    assertThat(app.get("/helloworld/world").statusCode()).isEqualTo(200);
    assertThat(app.post("/helloworld", "application/json", "{\"name\":\"world\"}").statusCode()).isEqualTo(200);
    for (String probe : List.of("/healthz", "/health", "/healthz/live", "/health/live", "/healthz/ready", "/health/ready",
        "/healthz/startup", "/health/startup")) {
      Eventually.await(probe + " UP", () -> app.get(probe).statusCode() == 200);
    }
    assertThat(app.get("/metrics").statusCode()).isEqualTo(200);
    assertThat(app.get("/docs").statusCode()).isEqualTo(200);
    for (String path : List.of("/openapi.yaml", "/openapi.json")) {
      HttpResponse<String> first = app.get(path);
      assertThat(first.statusCode()).isEqualTo(200);
      String etag = first.headers().firstValue("ETag").orElseThrow();
      assertThat(app.get(path, "If-None-Match", etag).statusCode()).isEqualTo(304);
    }
    assertThat(app.get("/.well-known/jwks.json").statusCode()).isEqualTo(200);

    String auth = "/api/v1/auth";
    assertThat(app.get(auth + "/captcha?captcha_type=sms&target=%2B8613812345678").statusCode()).isEqualTo(200);
    String captcha = captcha();
    assertThat(postJson(auth + "/captcha/verify", new JsonObject().put("captcha_id", captcha).put("captcha_code", "123456"))
        .statusCode()).isEqualTo(200);
    String username = "oas_" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    HttpResponse<String> registered = postJson(auth + "/register", new JsonObject().put("username", username)
        .put("password", PASSWORD).put("email", username + "@example.com").put("phone", "+8613912345678")
        .put("captcha_id", captcha()).put("captcha_code", "123456"));
    assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
    JsonObject tokens = login(username);
    String[] bearer = {"Authorization", "Bearer " + tokens.getString("access_token")};
    assertThat(app.get(auth + "/me", bearer).statusCode()).isEqualTo(200);
    assertThat(app.get(auth + "/lock-status/" + username, bearer).statusCode()).isEqualTo(200);
    assertThat(app.get("/api/v1/features", bearer).statusCode()).isEqualTo(200);
    HttpResponse<String> setup = postJson(auth + "/totp/setup", new JsonObject().put("password", PASSWORD), bearer);
    assertThat(setup.statusCode()).as(setup.body()).isEqualTo(200);
    byte[] secret = Totp.fromBase32(TestApp.json(setup).getString("secret"));
    long step = Totp.step(Instant.now().getEpochSecond());
    assertThat(postJson(auth + "/totp/enable", new JsonObject().put("totp_code", Totp.code(secret, step)), bearer)
        .statusCode()).isEqualTo(200);
    // the next step's code: a code is accepted once, and one step ahead is inside the window
    assertThat(postJson(auth + "/totp/disable", new JsonObject().put("password", PASSWORD)
        .put("totp_code", Totp.code(secret, step + 1)), bearer).statusCode()).isEqualTo(200);
    assertThat(app.get(auth + "/captcha?captcha_type=email&target=" + username + "@example.com").statusCode()).isEqualTo(200);
    assertThat(postJson(auth + "/email/verify", new JsonObject().put("code", "123456"), bearer).statusCode()).isEqualTo(200);
    assertThat(app.get(auth + "/captcha?captcha_type=sms&target=%2B8613912345678").statusCode()).isEqualTo(200);
    assertThat(postJson(auth + "/phone/verify", new JsonObject().put("code", "123456"), bearer).statusCode()).isEqualTo(200);
    JsonObject second = login(username);
    HttpResponse<String> sessions = app.get(auth + "/sessions", bearer);
    assertThat(sessions.statusCode()).isEqualTo(200);
    String secondId = TestApp.json(sessions).getJsonArray("sessions").stream().map(JsonObject.class::cast)
        .filter(x -> !x.getBoolean("current")).findFirst().orElseThrow().getString("session_id");
    assertThat(TestApp.send(java.net.http.HttpRequest.newBuilder(app.uri(auth + "/sessions/" + secondId))
        .header("Authorization", bearer[1]).DELETE().build()).statusCode()).isEqualTo(200);
    assertThat(second.getString("access_token")).isNotEmpty();
    String changed = PASSWORD + "-changed";
    assertThat(postJson(auth + "/password", new JsonObject().put("current_password", PASSWORD).put("new_password", changed),
        bearer).statusCode()).isEqualTo(200);
    assertThat(postJson(auth + "/password/forgot", new JsonObject().put("target", username + "@example.com")
        .put("captcha_id", captcha()).put("captcha_code", "123456")).statusCode()).isEqualTo(202);
    assertThat(postJson(auth + "/password/reset", new JsonObject().put("target", username + "@example.com")
        .put("code", "123456").put("new_password", PASSWORD)).statusCode()).isEqualTo(200);
    tokens = login(username);
    String[] afterReset = {"Authorization", "Bearer " + tokens.getString("access_token")};
    assertThat(app.get(auth + "/me", afterReset).statusCode()).isEqualTo(200);
    JsonObject refreshed = TestApp.json(postJson(auth + "/refresh", new JsonObject()
        .put("refresh_token", tokens.getString("refresh_token"))));
    String[] refreshedBearer = {"Authorization", "Bearer " + refreshed.getString("access_token")};
    assertThat(postJson(auth + "/logout", new JsonObject().put("all_sessions", true), refreshedBearer).statusCode())
        .isEqualTo(200);

    String admin = "oasadmin_" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    AuthApi.createUser(app.app().vertx().eventBus(), admin, PASSWORD, true, new AuthApi.Origin("openapi-test", "127.0.0.1"),
        10_000).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    String[] adminBearer = {"Authorization", "Bearer " + login(admin).getString("access_token")};
    Eventually.await("the audit trail answers", () -> app.get("/api/v1/audit?limit=5", adminBearer).statusCode() == 200);
    assertThat(app.get("/api/v1/admin/features", adminBearer).statusCode()).isEqualTo(200);
    assertThat(app.get("/api/v1/admin/plugins", adminBearer).statusCode()).isEqualTo(200);
    for (String action : List.of("unlock", "disable", "enable", "totp/reset")) {
      HttpResponse<String> done = app.post("/api/v1/admin/users/" + username + "/" + action, null, "", adminBearer);
      assertThat(done.statusCode()).as(action + ": " + done.body()).isEqualTo(200);
    }

    Map<String, Long> after = CONTRACT.checkedResponses();
    List<String> unseen = new ArrayList<>();
    for (OpenApiContract.Operation op : CONTRACT.operations()) {
      for (String status : op.node().getJsonObject("responses").fieldNames()) {
        int code = Integer.parseInt(status);
        String key = op.method() + " " + op.template() + " " + status;
        if (code < 400 && after.getOrDefault(key, 0L) <= before.getOrDefault(key, 0L)) {
          unseen.add(key);
        }
      }
    }
    assertThat(unseen).as("documented success answers never seen live in this walk").isEmpty();
  }

  @Test
  @DisplayName("/openapi.json is the YAML document as JSON; both say no-cache with an ETag")
  void jsonIsTheYaml() {
    HttpResponse<String> yaml = app.get("/openapi.yaml");
    HttpResponse<String> json = app.get("/openapi.json");
    assertThat(yaml.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/yaml");
    assertThat(json.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
    assertThat(new JsonObject(json.body())).isEqualTo(ApiDescription.parse(yaml.body()));
    assertThat(yaml.headers().firstValue("Cache-Control")).hasValue("no-cache");
    assertThat(json.headers().firstValue("ETag")).isPresent().isNotEqualTo(yaml.headers().firstValue("ETag"));
  }

  @Test
  @DisplayName("/docs serves Swagger UI from the jar: its page, its scripts, an initializer file that loads /openapi.json")
  void docsServeSwaggerUi() {
    HttpResponse<String> page = app.get("/docs");
    assertThat(page.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
    assertThat(page.body()).contains("/docs/swagger-ui-bundle.js").contains("/docs/swagger-initializer.js")
        .doesNotContain("<script>");
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("default-src 'self'");
    assertThat(app.get("/docs/").body()).isEqualTo(page.body());
    HttpResponse<String> bundle = app.get("/docs/swagger-ui-bundle.js");
    assertThat(bundle.statusCode()).isEqualTo(200);
    assertThat(bundle.headers().firstValue("Content-Type").orElseThrow()).contains("javascript");
    assertThat(bundle.body().length()).isGreaterThan(100_000);
    assertThat(app.get("/docs/swagger-ui.css").statusCode()).isEqualTo(200);
    HttpResponse<String> initializer = app.get("/docs/swagger-initializer.js");
    assertThat(initializer.body()).contains("url: '/openapi.json'").doesNotContain("petstore");
    HttpResponse<String> missing = app.get("/docs/no-such-file.js");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(missing.body()).getString("reason")).isEqualTo("NOT_FOUND");
  }

  private static JsonObject response(JsonObject response) {
    return response.containsKey("$ref") ? (JsonObject) CONTRACT.resolve(response.getString("$ref")) : response;
  }

  private static List<String> mediaExamples(String pointer, JsonObject holder, int[] seen) {
    List<String> problems = new ArrayList<>();
    JsonObject content = holder.getJsonObject("content");
    if (content == null) {
      return problems;
    }
    for (String type : content.fieldNames()) {
      JsonObject media = content.getJsonObject(type);
      String schema = pointer + "/content/" + OpenApiContract.escape(type) + "/schema";
      if (media.containsKey("example")) {
        problems.addAll(example(schema, media.getValue("example"), seen));
      }
      JsonObject examples = media.getJsonObject("examples", new JsonObject());
      for (String name : examples.fieldNames()) {
        problems.addAll(example(schema, examples.getJsonObject(name).getValue("value"), seen));
      }
    }
    return problems;
  }

  private static void examplesInSchemas(String pointer, Object node, List<String> problems, int[] seen) {
    if (node instanceof JsonObject object) {
      if (object.containsKey("examples") && object.getValue("examples") instanceof JsonArray examples
          && (object.containsKey("type") || object.containsKey("$ref"))) {
        for (Object value : examples) {
          problems.addAll(example(pointer, value, seen));
        }
      }
      for (String key : object.fieldNames()) {
        examplesInSchemas(pointer + "/" + OpenApiContract.escape(key), object.getValue(key), problems, seen);
      }
    }
  }

  private static List<String> example(String schemaPointer, Object value, int[] seen) {
    seen[0]++;
    return CONTRACT.validate(schemaPointer, Json.encode(value), "example for " + schemaPointer);
  }

  private static String captcha() {
    HttpResponse<String> r = app.get("/api/v1/auth/captcha");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return TestApp.json(r).getString("captcha_id");
  }

  private static JsonObject login(String username) {
    HttpResponse<String> r = postJson("/api/v1/auth/login", new JsonObject().put("username", username)
        .put("password", PASSWORD).put("captcha_id", captcha()).put("captcha_code", "123456"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return TestApp.json(r);
  }

  private static HttpResponse<String> postJson(String path, JsonObject body, String... headers) {
    return app.post(path, "application/json", body.encode(), headers);
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der) + "\n-----END " + type + "-----\n";
  }
}
