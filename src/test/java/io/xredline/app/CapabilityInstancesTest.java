package io.xredline.app;

import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.xredline.bus.LoopAffinity;
import io.xredline.testing.Eventually;
import io.xredline.testing.MetricsScrape;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * capabilities.&lt;name&gt;.instances: every capability runs as that many verticle instances (one bus
 * consumer each, so requests spread over event loops), and what one process must do once (audit
 * capture, health announcements) is still done once.
 */
@DisplayName("capability instances: auth, greeter, health and audit scale out inside one process")
@Timeout(value = 2, unit = TimeUnit.MINUTES) // starts a service instance of its own: beyond 30 s when both cores are busy
class CapabilityInstancesTest {
  private static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start("instances", Map.of("capabilities.auth.instances", "3", "capabilities.greeter.instances", "2",
        "capabilities.health.instances", "2", "capabilities.audit.instances", "2", "server.event_loops", "3"));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static double handlers(String address) {
    return MetricsScrape.of(app).sum("vertx_eventbus_handlers", Map.of("address", address));
  }

  @Test
  @DisplayName("each instance consumes its capability's addresses: 3 auth, 2 greeter, 2 health, 2 audit consumers")
  void consumersPerInstance() {
    assertThat(app.config().capabilities().auth()).isEqualTo(3);
    assertThat(handlers("xredline.auth.me")).isEqualTo(3);
    assertThat(handlers("xredline.auth.login")).isEqualTo(3);
    assertThat(handlers("xredline.greeter.say-hello")).isEqualTo(2);
    assertThat(handlers("xredline.audit.query")).isEqualTo(2);
  }

  @Test
  @DisplayName("server.event_loops sizes Vert.x's event-loop pool: 3 loops")
  void eventLoops() {
    int loops = 0;
    for (var ignored : ((VertxInternal) app.app().vertx()).nettyEventLoopGroup()) {
      loops++;
    }
    assertThat(loops).isEqualTo(3);
  }

  @Test
  @DisplayName("same-loop delivery keeps the metrics of the plain addresses: no series names a pinned address")
  void pinnedAddressesLabelledPlain() {
    String name = "pin_" + Long.toString(System.nanoTime(), 36);
    assertThat(app.get("/helloworld/" + name).statusCode()).isEqualTo(200);
    // the server counts a request when its reply has gone out: wait until the scrape has it
    Eventually.await("the greeting counted on its plain address", () -> MetricsScrape.of(app)
        .sum("vertx_eventbus_processed_total", Map.of("address", "xredline.greeter.say-hello")) >= 1);
    assertThat(MetricsScrape.of(app).text()).doesNotContain(LoopAffinity.pinned("", ""));
  }

  @Test
  @DisplayName("sign-in works across instances, and each auth event is stored exactly once")
  void eventsStoredOnce() {
    String name = "inst_" + Long.toString(System.nanoTime(), 36);
    JsonObject captcha = TestApp.json(app.get("/api/v1/auth/captcha"));
    var registered = app.post("/api/v1/auth/register", "application/json", new JsonObject().put("username", name)
        .put("email", name + "@example.com").put("password", "Str0ng-Passw0rd!").put("captcha_id", captcha.getString("captcha_id"))
        .put("captcha_code", app.config().auth().captcha().fixedCode()).encode());
    assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
    for (int i = 0; i < 3; i++) {
      JsonObject c = TestApp.json(app.get("/api/v1/auth/captcha"));
      var login = app.post("/api/v1/auth/login", "application/json", new JsonObject().put("username", name)
          .put("password", "Str0ng-Passw0rd!").put("captcha_id", c.getString("captcha_id"))
          .put("captcha_code", app.config().auth().captcha().fixedCode()).encode());
      assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
    }
    String db = app.databaseUrl();
    // one writer flushes in order: once the last login is stored, any duplicate of the earlier ones would be too
    Eventually.await("the register and three login events", () ->
        TestBackends.count(db, "SELECT count(*) FROM operation_logs WHERE username = '" + name + "'") >= 4);
    assertThat(TestBackends.count(db, "SELECT count(*) FROM operation_logs WHERE username = '" + name + "'"))
        .isEqualTo(4);
  }

  @Test
  @DisplayName("readiness and the greeter answer with several health and greeter instances")
  void probesAndGreeter() {
    assertThat(app.get("/healthz/ready").statusCode()).isEqualTo(200);
    for (int i = 0; i < 6; i++) {
      assertThat(app.get("/helloworld/inst" + i).statusCode()).isEqualTo(200);
    }
  }
}
