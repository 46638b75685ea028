package io.xredline.app;

import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("A start-up that fails after Vert.x is up still completes its future (so the launcher can exit 1)")
class StartupFailureTest {

  @Test
  @DisplayName("a failed migration fails Application.start with the reason, after stopping what was started")
  void failedMigrationCompletes() {
    String db = TestBackends.freshDatabase("startfail");
    TestBackends.execute(db, "CREATE TABLE users (id int)");
    try {
      Map<String, String> overrides = TestApp.defaults("startfail");
      overrides.put("data.database.url", db);
      var start = Application.start(TestApp.config(overrides)).toCompletionStage().toCompletableFuture();
      assertThatThrownBy(() -> start.get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(Application.StartupException.class)
          .hasMessageContaining("database migration failed");
    } finally {
      TestBackends.dropDatabase(db);
    }
  }
}
