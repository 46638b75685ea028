package io.xredline.http;

import io.xredline.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JDK HttpClient asks for an h2c Upgrade on every new plain-HTTP connection. Large responses
 * (the /metrics page) sent over that upgrade were lost; the REST port must answer such clients.
 */
@DisplayName("Clients that ask for an HTTP/2 Upgrade on plain HTTP get every response, large ones included")
class Http2UpgradeTest {
  private static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start("h2upgrade");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  @DisplayName("20 fresh JDK clients (HTTP/2 preferred) each get the full /metrics page and a greeting")
  void upgradeRequestsAreAnswered() throws Exception {
    for (int i = 0; i < 20; i++) {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
          .connectTimeout(Duration.ofSeconds(2)).build();
      HttpResponse<String> metrics = client.send(HttpRequest.newBuilder(app.uri("/metrics"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body()).contains("jvm_memory_used_bytes");
      HttpResponse<String> hello = client.send(HttpRequest.newBuilder(app.uri("/helloworld/h2")).timeout(Duration.ofSeconds(5))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(hello.statusCode()).isEqualTo(200);
    }
  }
}
