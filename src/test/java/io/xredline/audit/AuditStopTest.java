package io.xredline.audit;

import io.vertx.core.json.JsonObject;
import io.xredline.testing.CapturedLogs;
import io.xredline.testing.Eventually;
import io.xredline.testing.TcpProxy;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The audit trail at a graceful stop: what is queued is written; with PostgreSQL unreachable the
 * writer tries within its budget, says in one line how many events it could not write, and does
 * not flood the log meanwhile. PostgreSQL is reached through a relay the test cuts.
 */
@DisplayName("The audit trail at a stop: the queue is written, or counted in one line when PostgreSQL stays unreachable")
class AuditStopTest {
  private static final int EVENTS = 40;

  @Test
  @DisplayName("with PostgreSQL unreachable: a few retries, then one line counting the unwritten events")
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void stopDuringOutage() {
    String db = TestBackends.freshDatabase("auditstop");
    try (TcpProxy proxy = TcpProxy.to(db)) {
      TestApp app = TestApp.start("auditstop", Map.of("data.database.url", proxy.relayed(db)));
      double backlog;
      List<JsonObject> lines;
      try (CapturedLogs logs = CapturedLogs.json()) {
        proxy.cut();
        publish(app, "stopper");
        Eventually.await("the events in the backlog", () -> backlog(app) >= EVENTS);
        backlog = backlog(app);
        app.close();
        lines = logs.json(line -> line.getString("logger", "").endsWith("AuditWriter"));
      }
      List<String> messages = lines.stream().map(line -> line.getString("message")).toList();
      long retries = messages.stream().filter(m -> m.startsWith("audit batch of")).count();
      // the stop's budget (5 s) at a backoff of 250, 500, then 1,000 ms allows at most 8 attempts
      // (plus those the periodic flush made before the stop); a retry on every 20 ms poll made ~250
      assertThat(retries).as("retry warnings: %s", messages).isBetween(1L, 12L);
      assertThat(messages).as("the closing count").contains(
          "stopped with " + (long) backlog + " audit events not written (lost: the queue is in memory)");
      assertThat(TestBackends.count(db, "SELECT count(*) FROM operation_logs WHERE username = 'stopper'")).isZero();
    } finally {
      TestBackends.dropDatabase(db);
    }
  }

  @Test
  @DisplayName("a graceful stop writes what is still queued: events waiting out a failed write are in the trail after the stop")
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void stopWritesTheQueue() {
    String db = TestBackends.freshDatabase("auditdrain");
    try (TcpProxy proxy = TcpProxy.to(db)) {
      TestApp app = TestApp.start("auditdrain", Map.of("data.database.url", proxy.relayed(db)));
      List<String> messages;
      try (CapturedLogs logs = CapturedLogs.json()) {
        proxy.cut();
        publish(app, "drainer");
        // a failed write: the writer now waits out its backoff with the events still queued
        Eventually.await("a failed write", () -> logs.lines().stream().anyMatch(l -> l.contains("audit batch of")));
        proxy.restore();
        app.close();
        messages = logs.json(line -> line.getString("logger", "").endsWith("AuditWriter")).stream()
            .map(line -> line.getString("message")).toList();
      }
      assertThat(messages).as("nothing left unwritten").noneMatch(m -> m.startsWith("stopped with"));
      assertThat(TestBackends.count(db, "SELECT count(*) FROM operation_logs WHERE username = 'drainer'"))
          .as("rows written by the stop; the writer said %s", messages).isEqualTo(EVENTS);
    } finally {
      TestBackends.dropDatabase(db);
    }
  }

  private static void publish(TestApp app, String username) {
    for (int i = 0; i < EVENTS; i++) {
      app.app().vertx().eventBus().publish("xredline.events.auth.login_failure", new JsonObject()
          .put("kind", "login_failure").put("user_id", 7).put("username", username).put("ip", "10.0.0.9")
          .put("request_id", "rid-" + username + "-" + i).put("outcome", "INVALID_CREDENTIALS").put("at", Instant.now().toString()));
    }
  }

  private static double backlog(TestApp app) {
    return app.app().telemetry().registry().get("xredline.audit.backlog").gauge().value();
  }
}
