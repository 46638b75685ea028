package io.xredline.app;

import io.xredline.config.AppConfig;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("A start-up that cannot finish fails fast and releases what it took")
// each test runs a real start-up attempt (Vert.x, pools, Flyway) until it fails, up to 60 s on a loaded machine
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class StartupFailureTest {

  @Test
  @DisplayName("a failed migration fails start() with a clear message and frees the HTTP port")
  void failedMigration() throws Exception {
    String db = TestBackends.freshDatabase("startfail");
    TestBackends.execute(db, "CREATE TABLE users (id int)");
    Map<String, String> overrides = TestApp.defaults("startfail");
    overrides.put("data.database.url", db);
    AppConfig config = TestApp.config(overrides);
    try {
      assertThatThrownBy(() -> Application.start(config).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(Application.StartupException.class)
          .hasMessageStartingWith("database migration failed");
      try (ServerSocket s = new ServerSocket(config.server().http().port())) {
        assertThat(s.isBound()).isTrue();
      }
    } finally {
      TestBackends.dropDatabase(db);
    }
  }

  @Test
  @DisplayName("a taken HTTP port fails start() naming the listener")
  void portTaken() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      Map<String, String> overrides = TestApp.defaults("porttaken");
      overrides.put("server.http.port", String.valueOf(taken.getLocalPort()));
      overrides.put("server.http.host", "0.0.0.0");
      // never reached: the HTTP listener fails before migrations would touch it
      overrides.put("data.database.url", "postgresql://nobody@127.0.0.1:1/none");
      AppConfig config = TestApp.config(overrides);
      assertThatThrownBy(() -> Application.start(config).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(Application.StartupException.class)
          .hasMessageContaining("HTTP listener on 0.0.0.0:" + taken.getLocalPort());
    }
  }
}
