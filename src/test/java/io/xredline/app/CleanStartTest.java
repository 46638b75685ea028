package io.xredline.app;

import io.vertx.core.json.JsonObject;
import io.xredline.testing.CapturedLogs;
import io.xredline.testing.TestApp;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("a clean start logs no warning and ends with the URLs to open")
class CleanStartTest {
  /**
   * Vert.x's blocked-thread checker reports how fast this machine is (class loading on a loaded
   * two-core box), not a defect of the service; every other warning or error at start is one.
   */
  private static final String SPEED_REPORT = "io.vertx.core.impl.BlockedThreadChecker";

  @Test
  @DisplayName("no WARN or ERROR line from start to ready; the banner names web UI, docs, OpenAPI, health, metrics and gRPC")
  void cleanStart() {
    List<JsonObject> lines;
    TestApp app;
    try (CapturedLogs logs = CapturedLogs.json()) {
      app = TestApp.start("cleanstart", Map.of("server.http.frontend_dir",
          Path.of("src/test/resources/frontend-fixture").toAbsolutePath().toString()));
      lines = logs.json(line -> true);
    }
    try (app) {
      assertThat(lines).filteredOn(l -> List.of("WARN", "ERROR").contains(l.getString("level"))
              && !SPEED_REPORT.equals(l.getString("logger")))
          .as("warnings at a clean start").isEmpty();
      String base = "http://127.0.0.1:" + app.httpPort();
      List<String> banner = lines.stream().filter(l -> "xredline.lifecycle".equals(l.getString("logger")))
          .map(l -> l.getString("message").trim().replaceAll("\\s+", " ")).toList();
      assertThat(banner).contains("web UI " + base + "/", "API docs " + base + "/docs", "OpenAPI " + base + "/openapi.yaml",
          "health " + base + "/healthz", "metrics " + base + "/metrics",
          "gRPC 127.0.0.1:" + app.grpcPort() + " (plaintext, reflection on)");
    }
  }
}
