package io.xredline.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.xredline.plugins.fixtures.stuck.StuckPlugin;
import io.xredline.plugins.fixtures.throwing.ThrowingPlugin;
import io.xredline.plugins.fixtures.vetoer.VetoerPlugin;
import io.xredline.testing.MetricsScrape;
import io.xredline.testing.PluginJars;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Hooks in sign-in: a plugin vetoes with its own words; a stuck or throwing one never breaks sign-in")
class PluginHooksTest extends AuthTestBase {
  @TempDir
  Path dir;

  private static JsonObject listed(TestApp app, JsonObject adminTokens, String name) {
    JsonArray plugins = json(app.get("/api/v1/admin/plugins", bearer(adminTokens))).getJsonArray("plugins");
    return plugins.stream().map(JsonObject.class::cast).filter(p -> name.equals(p.getString("name"))).findFirst().orElseThrow();
  }

  @Test
  @Timeout(120) // one service start and a dozen sign-ins with argon2 hashing, with both cores busy
  @DisplayName("before-login veto → 403 PLUGIN_REJECTED; stuck and throwing plugins open their breakers while every sign-in succeeds")
  void hooksInSignIn() {
    PluginJars.build(dir, "stuck", StuckPlugin.class);
    PluginJars.build(dir, "throwing", ThrowingPlugin.class);
    PluginJars.build(dir, "vetoer", VetoerPlugin.class);
    try (TestApp app = TestApp.start("pluginhooks", overrides("plugins.directory", dir.toString(),
        "plugins.sandbox.timeout", "200ms", "plugins.sandbox.max_failures", "3", "plugins.sandbox.cool_down", "1h",
        "plugins.stuck.sleep_ms", "2000"))) {
      String alice = newUser(app);
      String blocked = "block_" + uniqueName("b");
      HttpResponse<String> r = register(app, blocked, PASSWORD, blocked.toLowerCase() + "@example.com");
      assertThat(r.statusCode()).as("vetoer answers before-login only").isEqualTo(201);

      HttpResponse<String> refused = login(app, blocked, PASSWORD);
      assertError(refused, 403, "PLUGIN_REJECTED");
      JsonObject body = json(refused);
      assertThat(body.getJsonObject("metadata").getString("plugin")).isEqualTo("vetoer");
      assertThat(body.getString("message")).doesNotContain("<").startsWith("script alert(1)");

      for (int i = 0; i < 4; i++) {
        HttpResponse<String> in = login(app, alice, PASSWORD);
        assertThat(in.statusCode()).as("sign-in %d with a stuck and a throwing plugin: %s", i, in.body()).isEqualTo(200);
      }

      TestBackends.execute(app.databaseUrl(), "UPDATE users SET roles = '{admin,user}' WHERE username = '" + alice + "'");
      JsonObject admin = tokens(app, alice);
      assertThat(listed(app, admin, "stuck").getString("state")).isEqualTo("open");
      assertThat(listed(app, admin, "throwing").getString("state")).isEqualTo("open");
      assertThat(listed(app, admin, "throwing").getInteger("failures")).isEqualTo(3);
      assertThat(listed(app, admin, "vetoer").getString("state")).isEqualTo("active");
      assertError(app.get("/api/v1/admin/plugins", bearer(tokens(app, newUser(app)))), 403, "FORBIDDEN");

      MetricsScrape metrics = MetricsScrape.of(app);
      assertThat(metrics.sum("xredline_plugin_failures_total", Map.of("plugin", "stuck"))).isGreaterThanOrEqualTo(3);
      assertThat(metrics.sum("xredline_plugin_hook_seconds_count", Map.of("plugin", "vetoer", "outcome", "veto"))).isEqualTo(1);
      assertThat(metrics.sum("xredline_plugin_hook_seconds_count", Map.of("plugin", "vetoer", "outcome", "allow")))
          .isGreaterThanOrEqualTo(4);
    }
  }

  @Test
  @Timeout(60) // one service start with both cores busy
  @DisplayName("plugins.enabled: false → no host, the list is empty, sign-in works")
  void pluginsOff() {
    PluginJars.build(dir, "vetoer", VetoerPlugin.class);
    try (TestApp app = TestApp.start("pluginsoff", overrides("plugins.directory", dir.toString(), "plugins.enabled", "false"))) {
      String bob = newUser(app);
      TestBackends.execute(app.databaseUrl(), "UPDATE users SET roles = '{admin,user}' WHERE username = '" + bob + "'");
      assertThat(json(app.get("/api/v1/admin/plugins", bearer(tokens(app, bob)))).getJsonArray("plugins")).isEmpty();
    }
  }
}
