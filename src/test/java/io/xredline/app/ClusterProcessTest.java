package io.xredline.app;

import io.vertx.core.json.JsonObject;
import io.xredline.testing.Eventually;
import io.xredline.testing.TestBackends;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fat jar as three JVMs on loopback: one edge node (http, grpc) and two auth nodes, joined by
 * TCP-IP under a cluster name and Hazelcast ports of this run only (never a default 5701 cluster),
 * sharing one fresh database and one Redis key prefix. Times are measured and printed, not asserted.
 */
@Tag("e2e")
@DisplayName("A cluster of separate processes: balance, SIGKILL, recovery, rolling restart")
// up to seven JVM starts (each a Hazelcast member and a full service) on a busy 2-core machine
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class ClusterProcessTest {
  private static final String CODE = "Q7XK2M";
  private static final String PASSWORD = "Corr3ct-Horse-Battery";
  private static final int ACCOUNT_LIMIT = 12;
  private static final Duration START = Duration.ofMinutes(3);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final Pattern SERVED = Pattern.compile("^xredline_cluster_served_total\\{[^}]*capability=\"auth\"[^}]*} ([0-9.E+]+)$",
      Pattern.MULTILINE);

  @Test
  @DisplayName("requests balance over two auth nodes; a SIGKILL fails only what was in flight on it; none left → 503 and readiness DOWN; one back → served; rolling SIGTERM restart under load fails nothing")
  void edgeWithTwoAuthNodes(@TempDir Path dir) throws Exception {
    int[] hz = {TestBackends.freePort(), TestBackends.freePort(), TestBackends.freePort()};
    Map<String, String> common = new HashMap<>();
    common.put("XREDLINE_ENV", "test");
    common.put("XREDLINE_CLUSTER__ENABLED", "true");
    common.put("XREDLINE_CLUSTER__NAME", "xr-proc-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    common.put("XREDLINE_CLUSTER__MEMBERS", "127.0.0.1:" + hz[0] + ",127.0.0.1:" + hz[1] + ",127.0.0.1:" + hz[2]);
    common.put("XREDLINE_CLUSTER__SECRET", "proc-test-secret-" + System.nanoTime());
    common.put("XREDLINE_DATA__DATABASE__URL", TestBackends.freshDatabase("cproc"));
    common.put("XREDLINE_DATA__REDIS__URL", TestBackends.redisUrl());
    common.put("XREDLINE_DATA__REDIS__KEY_PREFIX", TestBackends.freshKeyPrefix("cproc"));
    common.put("XREDLINE_AUTH__CAPTCHA__FIXED_CODE", CODE);
    // every client here is 127.0.0.1: the per-address budgets are out of the way, login_account is the one under test
    common.put("XREDLINE_SECURITY__RATE_LIMIT__DEFAULT__REQUESTS_PER_SECOND", "1000000");
    common.put("XREDLINE_SECURITY__RATE_LIMIT__DEFAULT__BURST", "1000000");
    for (String policy : List.of("LOGIN_IP", "REGISTER_IP", "CAPTCHA_IP")) {
      common.put("XREDLINE_SECURITY__RATE_LIMIT__POLICIES__" + policy + "__LIMIT", "1000000");
    }
    common.put("XREDLINE_SECURITY__RATE_LIMIT__POLICIES__LOGIN_ACCOUNT__LIMIT", String.valueOf(ACCOUNT_LIMIT));
    common.put("XREDLINE_SERVER__HTTP__TIMEOUT", "10s");
    common.put("XREDLINE_SERVER__SHUTDOWN_TIMEOUT", "10s");
    common.put("XREDLINE_MONITORING__HEALTH__CACHE_TTL", "0s");
    common.put("XREDLINE_LOG__FORMAT", "text");

    List<ServiceProcess> all = new ArrayList<>();
    try {
      ServiceProcess[] auth = new ServiceProcess[2];
      auth[0] = start(all, dir.resolve("auth0"), common, hz[1], "auth,greeter,audit,health");
      auth[1] = start(all, dir.resolve("auth1"), common, hz[2], "auth,greeter,audit,health");
      ServiceProcess edge = start(all, dir.resolve("edge"), common, hz[0], "http,grpc,health");
      auth[0].awaitReady(START);
      auth[1].awaitReady(START);
      edge.awaitReady(START);

      String username = "proc_" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
      HttpResponse<String> registered = post(edge, "/api/v1/auth/register", new JsonObject().put("username", username)
          .put("password", PASSWORD).put("email", username + "@example.com").put("captcha_id", captcha(edge))
          .put("captcha_code", CODE));
      assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
      String bearer = "Bearer " + login(edge, username, PASSWORD).getString("access_token");

      // balance: both auth nodes answer the edge's requests
      double[] before = {served(auth[0]), served(auth[1])};
      for (int i = 0; i < 40; i++) {
        assertThat(me(edge, bearer).statusCode()).isEqualTo(200);
      }
      double[] delta = {served(auth[0]) - before[0], served(auth[1]) - before[1]};
      System.out.printf("ClusterProcessTest: 40 /me requests served by auth0=%.0f auth1=%.0f (bus requests incl. authenticate)%n",
          delta[0], delta[1]);
      assertThat(delta[0]).as("auth node 0 served some").isPositive();
      assertThat(delta[1]).as("auth node 1 served some").isPositive();

      // lockout lives in Redis: failures counted on either node lock the account for both
      String victim = "lock_" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
      assertThat(post(edge, "/api/v1/auth/register", new JsonObject().put("username", victim).put("password", PASSWORD)
          .put("email", victim + "@example.com").put("captcha_id", captcha(edge)).put("captcha_code", CODE)).statusCode())
          .isEqualTo(201);
      List<Integer> lockStatuses = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        lockStatuses.add(loginStatus(edge, victim, "Wrong-Password-" + i));
      }
      assertThat(lockStatuses).as("five failures then locked, whichever node counted them").containsSubsequence(401, 403);
      assertThat(lockStatuses.subList(5, 8)).containsOnly(403);
      assertThat(loginStatus(edge, victim, PASSWORD)).as("locked on every node").isEqualTo(403);

      // the login_account budget is counted in Redis too: attempts answered by either node use up one budget
      String limited = "rate_" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
      assertThat(post(edge, "/api/v1/auth/register", new JsonObject().put("username", limited).put("password", PASSWORD)
          .put("email", limited + "@example.com").put("captcha_id", captcha(edge)).put("captcha_code", CODE)).statusCode())
          .isEqualTo(201);
      double[] beforeLogins = {served(auth[0]), served(auth[1])};
      for (int i = 0; i < ACCOUNT_LIMIT; i++) {
        assertThat(loginStatus(edge, limited, PASSWORD)).as("login %d within the account budget", i + 1).isEqualTo(200);
      }
      HttpResponse<String> refused = post(edge, "/api/v1/auth/login", new JsonObject().put("username", limited)
          .put("password", PASSWORD).put("captcha_id", captcha(edge)).put("captcha_code", CODE));
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
      assertThat(refused.body()).contains("RATE_LIMITED", "login_account");
      assertThat(served(auth[0]) - beforeLogins[0]).as("auth0 answered some of the logins").isPositive();
      assertThat(served(auth[1]) - beforeLogins[1]).as("auth1 answered some of the logins").isPositive();

      // SIGKILL one auth node under load: only what was in flight on it may fail
      try (Load load = new Load(edge, bearer, 2)) {
        load.awaitRequests(20);
        auth[0].kill();
        long killedAt = System.nanoTime();
        load.awaitRequests(load.total() + 50);
        int failedAfterKill = load.failed();
        System.out.printf("ClusterProcessTest: SIGKILL of auth0 under 2 concurrent clients: %d of %d requests failed %s%n",
            failedAfterKill, load.total(), load.failures());
        assertThat(failedAfterKill).as("only requests in flight on the killed node (at most one per client)").isLessThanOrEqualTo(2);
        int failedSoFar = load.failed();
        int doneSoFar = load.total();
        load.awaitRequests(doneSoFar + 30);
        assertThat(load.failed()).as("the other node serves everything after the kill").isEqualTo(failedSoFar);
        System.out.printf("ClusterProcessTest: served again by auth1 after the kill within %d ms%n",
            (System.nanoTime() - killedAt) / 1_000_000);
      }

      // none left: readiness DOWN, then every request 503 (one racing the kill may wait out its timeout)
      auth[1].kill();
      long bothDead = System.nanoTime();
      Eventually.await("edge readiness DOWN with no auth node", () -> edge.status("/healthz/ready") == 503);
      long downMs = (System.nanoTime() - bothDead) / 1_000_000;
      assertThat(edge.get("/healthz/ready").body()).contains("\"capabilities\"");
      Eventually.await("503 SERVICE_UNAVAILABLE with no auth node", () -> {
        HttpResponse<String> r = me(edge, bearer);
        return r.statusCode() == 503 && r.body().contains("SERVICE_UNAVAILABLE");
      });
      long unavailableMs = (System.nanoTime() - bothDead) / 1_000_000;
      List<Long> answers = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        long begin = System.nanoTime();
        HttpResponse<String> unavailable = me(edge, bearer);
        answers.add((System.nanoTime() - begin) / 1_000_000);
        assertThat(unavailable.statusCode()).isEqualTo(503);
      }
      System.out.printf("ClusterProcessTest: both auth nodes killed: readiness DOWN after %d ms, first 503 after %d ms,"
          + " then each request answers 503 in %s ms (request timeout 10000 ms)%n", downMs, unavailableMs, answers);

      // one comes back: served without touching the edge
      auth[0] = start(all, dir.resolve("auth0b"), common, hz[1], "auth,greeter,audit,health");
      auth[0].awaitReady(START);
      long readyAt = System.nanoTime();
      Eventually.await("served again once an auth node is back", () -> me(edge, bearer).statusCode() == 200);
      System.out.printf("ClusterProcessTest: restarted auth node ready; edge served again %d ms later%n",
          (System.nanoTime() - readyAt) / 1_000_000);
      Eventually.await("edge readiness UP again", () -> edge.status("/healthz/ready") == 200);
      auth[1] = start(all, dir.resolve("auth1b"), common, hz[2], "auth,greeter,audit,health");
      auth[1].awaitReady(START);
      Eventually.await("the second auth node takes requests", () -> {
        double s = served(auth[1]);
        me(edge, bearer);
        me(edge, bearer);
        return served(auth[1]) > s;
      });

      // rolling restart under constant load: SIGTERM one, wait until its successor is ready, then the next
      try (Load load = new Load(edge, bearer, 2)) {
        load.awaitRequests(20);
        for (int i = 0; i < 2; i++) {
          auth[i].sigterm();
          assertThat(auth[i].awaitExit(Duration.ofSeconds(60))).as("drained auth node exits 0").isZero();
          auth[i] = start(all, dir.resolve("auth" + i + "r"), common, hz[1 + i], "auth,greeter,audit,health");
          auth[i].awaitReady(START);
          int index = i;
          Eventually.await("the restarted node takes requests", () -> served(auth[index]) > 0);
        }
        load.awaitRequests(load.total() + 20);
        System.out.printf("ClusterProcessTest: rolling restart of both auth nodes: %d requests, %d failed %s%n",
            load.total(), load.failed(), load.failures());
        assertThat(load.failed()).as("failed requests during the rolling restart " + load.failures()).isZero();
      }
    } finally {
      for (ServiceProcess p : all) {
        p.close();
      }
    }
  }

  private static ServiceProcess start(List<ServiceProcess> all, Path dir, Map<String, String> common, int hazelcastPort,
                                      String roles) throws Exception {
    Map<String, String> env = new HashMap<>(common);
    env.put("XREDLINE_CLUSTER__PORT", String.valueOf(hazelcastPort));
    env.put("XREDLINE_ROLES", roles);
    ServiceProcess p = ServiceProcess.start(dir, env);
    all.add(p);
    return p;
  }

  private static double served(ServiceProcess node) {
    if (!node.alive()) {
      return 0;
    }
    Matcher m = SERVED.matcher(node.get("/metrics").body());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  private static String captcha(ServiceProcess edge) {
    HttpResponse<String> r = edge.get("/api/v1/auth/captcha");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body()).getString("captcha_id");
  }

  private static JsonObject login(ServiceProcess edge, String username, String password) {
    HttpResponse<String> r = post(edge, "/api/v1/auth/login", new JsonObject().put("username", username)
        .put("password", password).put("captcha_id", captcha(edge)).put("captcha_code", CODE));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  private static int loginStatus(ServiceProcess edge, String username, String password) {
    return post(edge, "/api/v1/auth/login", new JsonObject().put("username", username).put("password", password)
        .put("captcha_id", captcha(edge)).put("captcha_code", CODE)).statusCode();
  }

  private static HttpResponse<String> post(ServiceProcess node, String path, JsonObject body) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.http() + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())));
  }

  private static HttpResponse<String> me(ServiceProcess node, String bearer) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.http() + "/api/v1/auth/me"))
        .header("Authorization", bearer));
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Constant load: {@code clients} threads each sending GET /me back to back; every non-200 is counted. */
  private static final class Load implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger total = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();

    Load(ServiceProcess edge, String bearer, int clients) {
      for (int i = 0; i < clients; i++) {
        Thread t = new Thread(() -> {
          while (running.get()) {
            String outcome;
            try {
              HttpResponse<String> r = me(edge, bearer);
              outcome = r.statusCode() == 200 ? null : r.statusCode() + " " + r.body();
            } catch (RuntimeException e) {
              outcome = e.toString();
            }
            if (outcome != null) {
              failed.incrementAndGet();
              failures.merge(outcome.length() > 160 ? outcome.substring(0, 160) : outcome, 1, Integer::sum);
            }
            total.incrementAndGet();
          }
        }, "cluster-load-" + i);
        t.setDaemon(true);
        t.start();
        threads.add(t);
      }
    }

    int total() {
      return total.get();
    }

    int failed() {
      return failed.get();
    }

    Map<String, Integer> failures() {
      return Map.copyOf(failures);
    }

    void awaitRequests(int count) {
      Eventually.within(Duration.ofMinutes(2), "the load loop reaches " + count + " requests", () -> total.get() >= count);
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join(30_000);
      }
    }
  }
}
