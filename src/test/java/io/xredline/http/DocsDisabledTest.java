package io.xredline.http;

import io.vertx.core.json.JsonObject;
import io.xredline.testing.TestApp;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("monitoring.docs.enabled: false turns Swagger UI off, not the description")
class DocsDisabledTest {
  @Test
  @DisplayName("/docs and its files answer the JSON 404, /openapi.json and /openapi.yaml still answer")
  void docsOff() {
    try (TestApp app = TestApp.start("docsoff", Map.of("monitoring.docs.enabled", "false"))) {
      for (String path : new String[] {"/docs", "/docs/", "/docs/swagger-ui-bundle.js"}) {
        HttpResponse<String> r = app.get(path, "Accept", "text/html");
        assertThat(r.statusCode()).as(path).isEqualTo(404);
        assertThat(new JsonObject(r.body()).getString("reason")).as(path).isEqualTo("NOT_FOUND");
      }
      assertThat(app.get("/openapi.json").statusCode()).isEqualTo(200);
      assertThat(app.get("/openapi.yaml").statusCode()).isEqualTo(200);
    }
  }
}
