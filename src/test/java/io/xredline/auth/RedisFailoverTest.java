package io.xredline.auth;

import io.vertx.core.json.JsonObject;
import io.xredline.testing.Eventually;
import io.xredline.testing.RedisTopology;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis fails over while the service is under load: {@code SENTINEL FAILOVER}, a Sentinel master
 * killed, a cluster master killed (each with a replica that has everything it wrote). Requests
 * during the switch answer 503 SERVICE_UNAVAILABLE — never 500, never no answer within
 * {@code server.http.timeout}; readiness reports the outage; afterwards everything works without a
 * restart and what Redis kept (a sign-in, a lockout, a logout) still holds. Each test prints the
 * failover window (first 503 to the first success after it) and writes it to target/redis-failover-*.txt.
 */
@Tag("e2e")
// each test starts its own topology (up to 6 processes), the service, and waits out a real failover
// (node timeout + election) on a two-core machine shared with other builds
@Timeout(value = 4, unit = TimeUnit.MINUTES)
@DisplayName("Redis failover under load: 503 while it lasts, readiness DOWN, then recovery without restart and nothing lost")
class RedisFailoverTest extends AuthTestBase {
  private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(10);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @AfterAll
  static void noSecrets() {
    assertNoSecretsLogged();
  }

  /** One answer of the load loop: when it was sent and answered (ns), its status and reason (null: no answer). */
  record Outcome(String what, long sentNs, long answeredNs, int status, String reason) {
    boolean success() {
      return status == 200;
    }

    boolean unavailable() {
      return status == 503 && "SERVICE_UNAVAILABLE".equals(reason);
    }
  }

  /** What the service must still know after the failover, written (and replicated) before it. */
  private record Written(String username, long userId, JsonObject tokens, String lockedUser, String loggedOutAccess) {
  }

  @Test
  @DisplayName("SENTINEL FAILOVER under load")
  void sentinelFailoverCommand() throws Exception {
    try (RedisTopology sentinel = RedisTopology.sentinel(1, 3, 5_000); TestApp app = start(sentinel, "failsentinel")) {
      RedisTopology.Node oldMaster = sentinel.sentinelMaster();
      RedisTopology.Node replica = sentinel.replicasOf(oldMaster).get(0);
      Written written = write(app);
      sentinel.awaitReplicated(oldMaster);

      Result result = underLoad(app, "sentinel-failover", () -> {
        assertThat(sentinel.liveSentinel().cli("SENTINEL", "FAILOVER", RedisTopology.MASTER_NAME)).isEqualTo("OK");
        sentinel.awaitSentinelsSettled(replica);
      });

      result.assertOnly200Or503();
      assertThat(sentinel.sentinelMaster()).isSameAs(replica);
      assertStillKnown(app, written);
      assertWorks(app);
    }
  }

  @Test
  @DisplayName("a Sentinel master killed (SIGKILL) under load: readiness DOWN until the replica is promoted")
  void sentinelMasterKilled() throws Exception {
    try (RedisTopology sentinel = RedisTopology.sentinel(1, 3, 2_000); TestApp app = start(sentinel, "failsentkill")) {
      RedisTopology.Node oldMaster = sentinel.sentinelMaster();
      RedisTopology.Node replica = sentinel.replicasOf(oldMaster).get(0);
      Written written = write(app);
      sentinel.awaitReplicated(oldMaster);

      Result result = underLoad(app, "sentinel-kill", () -> {
        oldMaster.kill();
        Eventually.within(Duration.ofSeconds(60), "the sentinels promoted " + replica,
            () -> sentinel.sentinelMaster() == replica && "master".equals(replica.role()));
      });

      result.assertOnly200Or503();
      result.assertReadinessWentDown();
      assertStillKnown(app, written);
      assertWorks(app);
    }
  }

  @Test
  @DisplayName("a Redis Cluster master killed (SIGKILL) under load: readiness DOWN until its replica takes its slots")
  void clusterMasterKilled() throws Exception {
    try (RedisTopology cluster = RedisTopology.cluster(3, 1, 2_000); TestApp app = start(cluster, "failcluster")) {
      String prefix = app.config().data().redis().keyPrefix();
      // the master that holds the sign-in written below; the lockout is placed on the same one
      Written written = write(app);
      RedisTopology.Node victim = cluster.masterOf(prefix + "auth:user-families:{u" + written.userId() + "}");
      String lockedUser = written.lockedUser();
      for (int i = 0; i < 30 && cluster.masterOf(prefix + "auth:lock:{u" + userId(app, lockedUser) + "}") != victim; i++) {
        lockedUser = lock(app);
      }
      assertThat(cluster.masterOf(prefix + "auth:lock:{u" + userId(app, lockedUser) + "}")).isSameAs(victim);
      Written onVictim = new Written(written.username(), written.userId(), written.tokens(), lockedUser,
          written.loggedOutAccess());
      RedisTopology.Node replica = cluster.replicasOf(victim).get(0);
      cluster.awaitReplicated(victim);

      Result result = underLoad(app, "cluster-kill", () -> {
        victim.kill();
        Eventually.within(Duration.ofSeconds(60), replica + " took over the slots of " + victim,
            () -> "master".equals(replica.role()));
        cluster.awaitClusterSettled();
      });

      result.assertOnly200Or503();
      result.assertReadinessWentDown();
      assertStillKnown(app, onVictim);
      assertWorks(app);
    }
  }

  private static TestApp start(RedisTopology topology, String hint) {
    Map<String, String> o = overrides("auth.max_login_attempts", "3", "auth.lock_duration", "30m",
        "server.http.timeout", HTTP_TIMEOUT.toSeconds() + "s", "monitoring.health.cache_ttl", "0s");
    o.putAll(topology.appOverrides());
    o.put("data.redis.key_prefix", TestBackends.freshKeyPrefix(hint));
    return TestApp.start(hint, o);
  }

  /** A live sign-in, a locked account and a logged-out access token. */
  private static Written write(TestApp app) {
    String username = newUser(app);
    JsonObject tokens = tokens(app, username);
    String locked = lock(app);
    JsonObject other = tokens(app, newUser(app));
    HttpResponse<String> out = app.post(AUTH + "/logout", null, "", bearer(other));
    assertThat(out.statusCode()).as(out.body()).isEqualTo(200);
    return new Written(username, userId(tokens), tokens, locked, other.getString("access_token"));
  }

  private static String lock(TestApp app) {
    String username = newUser(app);
    assertError(login(app, username, "Wrong-Password-1"), 401, "INVALID_CREDENTIALS");
    assertError(login(app, username, "Wrong-Password-2"), 401, "INVALID_CREDENTIALS");
    assertError(login(app, username, "Wrong-Password-3"), 403, "ACCOUNT_LOCKED");
    return username;
  }

  private static long userId(JsonObject tokens) {
    String payload = tokens.getString("access_token").split("\\.")[1];
    return Long.parseLong(new JsonObject(new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8))
        .getString("sub"));
  }

  private static long userId(TestApp app, String username) {
    return TestBackends.count(app.databaseUrl(), "SELECT id FROM users WHERE username = '" + username + "'");
  }

  private static void assertStillKnown(TestApp app, Written w) {
    HttpResponse<String> rotated = postJson(app, AUTH + "/refresh",
        new JsonObject().put("refresh_token", w.tokens().getString("refresh_token")));
    assertThat(rotated.statusCode()).as("the sign-in written before the failover still rotates: %s", rotated.body())
        .isEqualTo(200);
    remember(json(rotated));
    assertError(postJson(app, AUTH + "/refresh", new JsonObject().put("refresh_token", w.tokens().getString("refresh_token"))),
        401, "TOKEN_REUSED");
    assertError(login(app, w.lockedUser(), PASSWORD), 403, "ACCOUNT_LOCKED");
    assertError(app.get(AUTH + "/me", "Authorization", "Bearer " + w.loggedOutAccess()), 401, "TOKEN_INVALID");
  }

  /** A whole new sign-in life cycle, on the same running service. */
  private static void assertWorks(TestApp app) {
    String username = newUser(app);
    JsonObject tokens = tokens(app, username);
    assertThat(app.get(AUTH + "/me", bearer(tokens)).statusCode()).isEqualTo(200);
    HttpResponse<String> refreshed = postJson(app, AUTH + "/refresh",
        new JsonObject().put("refresh_token", tokens.getString("refresh_token")));
    assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
    JsonObject next = remember(json(refreshed));
    assertThat(app.post(AUTH + "/logout", null, "", bearer(next)).statusCode()).isEqualTo(200);
    assertError(app.get(AUTH + "/me", bearer(next)), 401, "TOKEN_INVALID");
    Eventually.await("readiness is UP again", () -> app.get("/healthz/ready").statusCode() == 200);
  }

  private interface Failover {
    void run() throws Exception;
  }

  /**
   * Runs {@code failover} while four clients loop over captcha issue (a script) and /me (the
   * deny-list + family script) and a probe polls readiness; stops once Redis settled and the load
   * sees only successes again.
   */
  private static Result underLoad(TestApp app, String name, Failover failover) throws Exception {
    JsonObject loadTokens = tokens(app, newUser(app));
    List<Outcome> outcomes = new CopyOnWriteArrayList<>();
    List<Outcome> readiness = new CopyOnWriteArrayList<>();
    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService load = Executors.newFixedThreadPool(5);
    for (int c = 0; c < 4; c++) {
      boolean me = c % 2 == 1;
      load.submit(() -> {
        while (running.get()) {
          outcomes.add(me ? send(app, "me", AUTH + "/me", bearer(loadTokens)) : send(app, "captcha", AUTH + "/captcha"));
        }
      });
    }
    load.submit(() -> {
      while (running.get()) {
        readiness.add(send(app, "ready", "/healthz/ready"));
        pause(100);
      }
    });
    long triggered;
    long settled;
    try {
      Eventually.await("the load is being served", () -> outcomes.stream().filter(Outcome::success).count() >= 20);
      triggered = System.nanoTime();
      failover.run();
      settled = System.nanoTime();
      Eventually.within(Duration.ofSeconds(60), "the service serves the load again after the failover", () -> {
        List<Outcome> last = outcomes.stream().filter(o -> o.sentNs() > settled).toList();
        return last.size() >= 20 && last.subList(last.size() - 20, last.size()).stream().allMatch(Outcome::success);
      });
    } finally {
      running.set(false);
      load.shutdown();
      load.awaitTermination(HTTP_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS);
    }
    Result result = new Result(name, triggered, settled, List.copyOf(outcomes), List.copyOf(readiness));
    result.report();
    return result;
  }

  private record Result(String name, long triggeredNs, long settledNs, List<Outcome> outcomes, List<Outcome> readiness) {
    void assertOnly200Or503() {
      List<Outcome> wrong = outcomes.stream().filter(o -> !o.success() && !o.unavailable()).toList();
      assertThat(wrong).as("answers other than 200 and 503 SERVICE_UNAVAILABLE (status 0 = no answer within %s)",
          HTTP_TIMEOUT.plusSeconds(20)).isEmpty();
    }

    void assertReadinessWentDown() {
      assertThat(readiness.stream().filter(o -> o.sentNs() > triggeredNs).anyMatch(o -> o.status() == 503))
          .as("readiness reported the outage").isTrue();
    }

    /**
     * The window runs from the first failed answer to the first success after the last failed one
     * (with four clients, a request may get through in the middle of a failover; those are counted).
     */
    void report() {
      List<Outcome> byAnswer = new ArrayList<>(outcomes);
      byAnswer.sort((a, b) -> Long.compare(a.answeredNs(), b.answeredNs()));
      Outcome firstFailure = byAnswer.stream().filter(o -> !o.success()).findFirst().orElse(null);
      StringBuilder line = new StringBuilder("FAILOVER ").append(name).append(": ");
      if (firstFailure == null) {
        line.append(String.format(Locale.ROOT, "no request failed: %d requests sent during the switch (%d ms), all 200",
            byAnswer.stream().filter(o -> o.sentNs() >= triggeredNs && o.sentNs() <= settledNs).count(),
            ms(settledNs - triggeredNs)));
      } else {
        Outcome lastFailure = byAnswer.stream().filter(o -> !o.success()).reduce((a, b) -> b).orElseThrow();
        Outcome recovered = byAnswer.stream().filter(o -> o.success() && o.answeredNs() > lastFailure.answeredNs())
            .findFirst().orElseThrow();
        List<Outcome> in = byAnswer.stream()
            .filter(o -> o.answeredNs() >= firstFailure.answeredNs() && o.answeredNs() <= recovered.answeredNs()).toList();
        line.append(String.format(Locale.ROOT,
            "window %d ms (first 503 %d ms after the trigger, to the first success after the last 503); "
                + "%d answers in it: %d x 503 SERVICE_UNAVAILABLE, %d x 200, %d other; readiness answered DOWN %d times",
            ms(recovered.answeredNs() - firstFailure.answeredNs()), ms(firstFailure.answeredNs() - triggeredNs),
            in.size(), in.stream().filter(Outcome::unavailable).count(), in.stream().filter(Outcome::success).count(),
            in.stream().filter(o -> !o.success() && !o.unavailable()).count(),
            readiness.stream().filter(o -> o.status() == 503).count()));
      }
      System.out.println(line);
      try {
        Files.writeString(Path.of("target", "redis-failover-" + name + ".txt"), line + "\n");
      } catch (IOException ignored) {
        // the line is on stdout too
      }
    }
  }

  private static long ms(long ns) {
    return TimeUnit.NANOSECONDS.toMillis(ns);
  }

  private static Outcome send(TestApp app, String what, String path, String... headers) {
    long sent = System.nanoTime();
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(app.uri(path)).timeout(HTTP_TIMEOUT.plusSeconds(20)).GET();
      if (headers.length > 0) {
        b.headers(headers);
      }
      HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      String reason = r.statusCode() == 200 ? null : reasonOf(r.body());
      return new Outcome(what, sent, System.nanoTime(), r.statusCode(), reason);
    } catch (IOException | InterruptedException e) {
      return new Outcome(what, sent, System.nanoTime(), 0, e.toString());
    }
  }

  private static String reasonOf(String body) {
    try {
      JsonObject json = new JsonObject(body);
      return json.getString("reason", json.getString("status"));
    } catch (RuntimeException e) {
      return body;
    }
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
