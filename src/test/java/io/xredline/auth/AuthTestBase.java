package io.xredline.auth;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.google.protobuf.Message;
import io.vertx.core.json.JsonObject;
import io.xredline.grpc.GrpcErrors;
import io.xredline.testing.GrpcCalls;
import io.xredline.testing.TestApp;
import org.slf4j.LoggerFactory;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every auth test needs: the service over real HTTP and gRPC, helpers for the sign-in steps,
 * and the capture of every log line of the whole auth test run, checked for secrets it has seen.
 */
abstract class AuthTestBase {
  /** Distinctive, so any appearance in a log line is a leak, not a coincidence. */
  static final String CAPTCHA_CODE = "Q7XK2M";
  static final String PASSWORD = "Corr3ct-Horse-Battery";
  static final String AUTH = "/api/v1/auth";
  static final String SERVICE = "auth.v1.Auth";
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  /** Every password, token and code a test used; no log line may contain any of them. */
  static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();
  static final List<String> LOG_LINES = Collections.synchronizedList(new ArrayList<>());

  static {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
      @Override
      protected void append(ILoggingEvent event) {
        StringBuilder line = new StringBuilder(event.getLoggerName()).append(' ').append(event.getFormattedMessage());
        for (var t = event.getThrowableProxy(); t != null; t = t.getCause()) {
          line.append(' ').append(t.getClassName()).append(": ").append(t.getMessage());
        }
        LOG_LINES.add(line.toString());
      }
    };
    capture.setContext(context);
    capture.setName("auth-test-capture");
    capture.start();
    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(capture);
    // our own code at its most talkative, so a leak anywhere would show
    context.getLogger("io.xredline").setLevel(Level.DEBUG);
    SECRETS.add(CAPTCHA_CODE);
    SECRETS.add(PASSWORD);
  }

  static Map<String, String> overrides(String... pairs) {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("auth.captcha.fixed_code", CAPTCHA_CODE);
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      o.put(pairs[i], pairs[i + 1]);
    }
    return o;
  }

  static String uniqueName(String stem) {
    return stem + "_" + SEQUENCE.incrementAndGet() + "_" + Long.toString(System.nanoTime() % 1_000_000, 36);
  }

  static void assertNoSecretsLogged() {
    List<String> lines;
    synchronized (LOG_LINES) {
      lines = List.copyOf(LOG_LINES);
    }
    for (String secret : SECRETS) {
      for (String line : lines) {
        assertThat(line).as("a log line contains a secret").doesNotContain(secret);
      }
    }
  }

  // ---- REST ----

  static JsonObject json(HttpResponse<String> response) {
    return TestApp.json(response);
  }

  static HttpResponse<String> postJson(TestApp app, String path, JsonObject body, String... headers) {
    return app.post(path, "application/json", body.encode(), headers);
  }

  static void assertError(HttpResponse<String> response, int status, String reason) {
    assertThat(response.statusCode()).as("status of %s", response.body()).isEqualTo(status);
    JsonObject body = json(response);
    assertThat(body.getString("reason")).as("reason of %s", response.body()).isEqualTo(reason);
    assertThat(body.getInteger("code")).isEqualTo(status);
    assertThat(body.getString("message")).isNotBlank();
    assertThat(body.getString("request_id")).isEqualTo(response.headers().firstValue("X-Request-ID").orElseThrow());
    assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  static String captcha(TestApp app) {
    HttpResponse<String> r = app.get(AUTH + "/captcha");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json(r).getString("captcha_id");
  }

  static JsonObject registration(TestApp app, String username, String password, String email) {
    return new JsonObject().put("username", username).put("password", password).put("email", email)
        .put("captcha_id", captcha(app)).put("captcha_code", CAPTCHA_CODE);
  }

  static HttpResponse<String> register(TestApp app, String username, String password, String email) {
    return postJson(app, AUTH + "/register", registration(app, username, password, email));
  }

  /** Registers a fresh account with {@link #PASSWORD}; returns its username. */
  static String newUser(TestApp app) {
    String username = uniqueName("user");
    HttpResponse<String> r = register(app, username, PASSWORD, username.toLowerCase() + "@example.com");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return username;
  }

  static JsonObject loginBody(TestApp app, String username, String password) {
    return new JsonObject().put("username", username).put("password", password)
        .put("captcha_id", captcha(app)).put("captcha_code", CAPTCHA_CODE);
  }

  static HttpResponse<String> login(TestApp app, String username, String password) {
    return postJson(app, AUTH + "/login", loginBody(app, username, password));
  }

  /** Logs in and returns the token pair, remembering both tokens as secrets. */
  static JsonObject tokens(TestApp app, String username) {
    HttpResponse<String> r = login(app, username, PASSWORD);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return remember(json(r));
  }

  static JsonObject remember(JsonObject tokens) {
    SECRETS.add(tokens.getString("access_token"));
    SECRETS.add(tokens.getString("refresh_token"));
    return tokens;
  }

  static String[] bearer(JsonObject tokens) {
    return new String[] {"Authorization", "Bearer " + tokens.getString("access_token")};
  }

  // ---- gRPC ----

  static <Resp extends Message> GrpcCalls.Result<Resp> grpc(GrpcCalls calls, String method, Message request,
                                                          Message.Builder reply, String... metadata) {
    return calls.unary(SERVICE, method, request, reply, metadata);
  }

  static void assertGrpcError(GrpcCalls.Result<?> result, String grpcStatus, String reason) {
    assertThat(result.status().name()).as("gRPC status (%s)", result.message()).isEqualTo(grpcStatus);
    assertThat(result.trailers().get(GrpcErrors.REASON_TRAILER)).isEqualTo(reason);
    assertThat(result.trailers().get(GrpcErrors.DETAILS_TRAILER)).isNotBlank();
  }
}
