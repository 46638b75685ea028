package io.xredline.auth;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.xredline.plugins.fixtures.stuck.StuckPlugin;
import io.xredline.testing.PluginJars;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two sample plugins as `mvn package` builds them (target/plugins/*.jar), next to a plugin
 * stuck past its timeout, in a service sending mail to a real SMTP server.
 */
@Tag("e2e")
@DisplayName("Sample plugins from their built jars: domain-allowlist vetoes, login-notifier mails, a stuck one changes nothing")
class PluginSamplesTest extends AuthTestBase {
  @TempDir
  Path dir;

  private static HttpResponse<String> loginFrom(TestApp app, String name, String ip) {
    return postJson(app, AUTH + "/login", loginBody(app, name, PASSWORD), "X-Forwarded-For", ip);
  }

  @Test
  @Timeout(180) // one service start, SMTP delivery and a dozen argon2 sign-ins with both cores busy
  void samples() throws Exception {
    PluginJars.built(dir, "domain-allowlist");
    PluginJars.built(dir, "login-notifier");
    PluginJars.build(dir, "stuck", StuckPlugin.class);
    int port = TestBackends.freePort();
    GreenMail mail = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    mail.start();
    try (TestApp app = TestApp.start("pluginsamples", overrides(
        "plugins.directory", dir.toString(),
        "plugins.sandbox.timeout", "300ms",
        "plugins.stuck.sleep_ms", "1000",
        "plugins.domain-allowlist.domains", "example.com,corp.example",
        "security.trusted_proxies", "127.0.0.1/32",
        "auth.captcha.email.smtp.host", "127.0.0.1",
        "auth.captcha.email.smtp.port", String.valueOf(port),
        "auth.captcha.email.smtp.starttls", "disabled"))) {
      String outsider = uniqueName("out");
      HttpResponse<String> refused = register(app, outsider, PASSWORD, outsider.toLowerCase() + "@other.org");
      assertError(refused, 403, "PLUGIN_REJECTED");
      assertThat(json(refused).getString("message")).isEqualTo("registration is open to example.com, corp.example addresses only");
      assertThat(json(refused).getJsonObject("metadata").getString("plugin")).isEqualTo("domain-allowlist");

      String sub = uniqueName("sub");
      assertThat(register(app, sub, PASSWORD, sub.toLowerCase() + "@eng.corp.example").statusCode()).isEqualTo(201);
      String erin = newUser(app);
      String email = erin.toLowerCase() + "@example.com";

      assertThat(loginFrom(app, erin, "203.0.113.10").statusCode()).as("first sign-in: address recorded").isEqualTo(200);
      assertThat(loginFrom(app, erin, "203.0.113.20").statusCode()).isEqualTo(200);
      assertThat(mail.waitForIncomingEmail(20_000, 1)).as("a notice for the new address").isTrue();
      assertThat(loginFrom(app, erin, "203.0.113.20").statusCode()).as("known address: no notice").isEqualTo(200);
      assertThat(loginFrom(app, erin, "203.0.113.30").statusCode()).isEqualTo(200);
      assertThat(mail.waitForIncomingEmail(20_000, 2)).isTrue();

      List<String> bodies = Arrays.stream(mail.getReceivedMessages()).map(GreenMailUtil::getBody).toList();
      assertThat(bodies).hasSize(2);
      assertThat(bodies.get(0)).contains("203.0.113.20").doesNotContain("203.0.113.10");
      assertThat(bodies.get(1)).contains("203.0.113.30");
      MimeMessage first = mail.getReceivedMessages()[0];
      assertThat(first.getAllRecipients()[0].toString()).isEqualTo(email);
      assertThat(first.getSubject()).isEqualTo("New sign-in to your account");

      TestBackends.execute(app.databaseUrl(), "UPDATE users SET roles = '{admin,user}' WHERE username = '" + erin + "'");
      JsonArray plugins = json(app.get("/api/v1/admin/plugins", bearer(tokens(app, erin)))).getJsonArray("plugins");
      assertThat(plugins.stream().map(JsonObject.class::cast).map(p -> p.getString("name") + "@" + p.getString("source")))
          .containsExactlyInAnyOrder("domain-allowlist@xredline-domain-allowlist.jar",
              "login-notifier@xredline-login-notifier.jar", "stuck@stuck.jar");
      assertThat(plugins.stream().map(JsonObject.class::cast).filter(p -> !"stuck".equals(p.getString("name")))
          .allMatch(p -> "active".equals(p.getString("state")) && p.getInteger("failures") == 0)).isTrue();
    } finally {
      mail.stop();
    }
  }
}
