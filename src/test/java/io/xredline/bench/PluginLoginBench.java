package io.xredline.bench;

import io.vertx.core.json.JsonObject;
import io.xredline.plugins.fixtures.stuck.StuckPlugin;
import io.xredline.testing.PluginJars;
import io.xredline.testing.TestApp;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Not a test: sign-in latency, one client, sequential and interleaved across the scenarios, in one
 * run on this machine, for (1) no
 * plugin, (2) the two sample plugins from target/plugins (run {@code mvn package} first), (3) a
 * plugin stuck past its timeout on every hook with its breaker kept closed (max_failures 1000:
 * the worst case, every sign-in waits the timeout) and (4) the same stuck plugin with the default
 * breaker (5 failures open it). Run with the test class path:
 * {@code java -cp target/classes:target/test-classes:$(deps) io.xredline.bench.PluginLoginBench [signins]}.
 */
public final class PluginLoginBench {
  private static final String PASSWORD = "Bench-Password-4711";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private PluginLoginBench() {
  }

  public static void main(String[] args) throws Exception {
    int signIns = args.length > 0 ? Integer.parseInt(args[0]) : 40;
    Path samples = Files.createTempDirectory("bench-samples");
    PluginJars.built(samples, "domain-allowlist");
    PluginJars.built(samples, "login-notifier");
    Path stuck = Files.createTempDirectory("bench-stuck");
    PluginJars.build(stuck, "stuck", StuckPlugin.class);
    Path none = Files.createTempDirectory("bench-none");

    Map<String, Map<String, String>> scenarios = new LinkedHashMap<>();
    scenarios.put("no plugin", Map.of("plugins.directory", none.toString()));
    scenarios.put("two samples", Map.of("plugins.directory", samples.toString(),
        "plugins.domain-allowlist.domains", "example.com"));
    scenarios.put("stuck, breaker closed", Map.of("plugins.directory", stuck.toString(),
        "plugins.sandbox.max_failures", "1000", "plugins.stuck.sleep_ms", "600"));
    scenarios.put("stuck, default breaker", Map.of("plugins.directory", stuck.toString(), "plugins.stuck.sleep_ms", "600"));
    System.out.printf(Locale.ROOT, "machine: %d cores; %d sequential sign-ins per scenario after 5 warm-up; sandbox timeout 500ms%n",
        Runtime.getRuntime().availableProcessors(), signIns);
    // all instances up at once and the sign-ins interleaved, so load from elsewhere hits every scenario alike
    List<String> names = new ArrayList<>(scenarios.keySet());
    List<TestApp> apps = new ArrayList<>();
    List<String> users = new ArrayList<>();
    for (Map<String, String> settings : scenarios.values()) {
      Map<String, String> o = new LinkedHashMap<>(settings);
      o.put("auth.captcha.enabled", "false");
      o.put("security.rate_limit.enabled", "false");
      TestApp app = TestApp.start("pluginbench", o);
      apps.add(app);
      String user = "bench_" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
      HttpResponse<String> r = post(app, "/api/v1/auth/register", new JsonObject().put("username", user)
          .put("password", PASSWORD).put("email", user + "@example.com"));
      if (r.statusCode() != 201) {
        throw new IllegalStateException("register: " + r.body());
      }
      users.add(user);
    }
    List<List<Double>> ms = new ArrayList<>();
    names.forEach(n -> ms.add(new ArrayList<>()));
    for (int round = 0; round < signIns + 5; round++) {
      for (int a = 0; a < apps.size(); a++) {
        long t = System.nanoTime();
        login(apps.get(a), users.get(a));
        if (round >= 5) {
          ms.get(a).add((System.nanoTime() - t) / 1e6);
        }
      }
    }
    for (int a = 0; a < apps.size(); a++) {
      List<Double> m = ms.get(a);
      Collections.sort(m);
      System.out.printf(Locale.ROOT, "%-24s p50 %7.1f ms  p90 %7.1f ms  max %7.1f ms%n", names.get(a),
          m.get(m.size() / 2), m.get((int) (m.size() * 0.9)), m.get(m.size() - 1));
    }
    for (TestApp app : apps) {
      app.close();
    }
    System.exit(0);
  }

  private static void login(TestApp app, String user) {
    HttpResponse<String> r = post(app, "/api/v1/auth/login", new JsonObject().put("username", user).put("password", PASSWORD));
    if (r.statusCode() != 200) {
      throw new IllegalStateException("login: " + r.body());
    }
  }

  private static HttpResponse<String> post(TestApp app, String path, JsonObject body) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
