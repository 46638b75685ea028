package io.xredline.bench;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.xredline.bus.CapabilityExport;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Not a test: {@code scripts/bench cluster}. In one run on this machine: (1) event-bus request/reply
 * latency on one clustered node, local consumer vs a consumer on another member over loopback TCP;
 * (2) {@code GET /api/v1/auth/me} throughput on a node holding auth itself vs an edge node whose auth
 * is a remote member (two bus round trips per request: authenticate, me).
 */
public final class ClusterBench {
  private static final String CODE = "424242";
  private static final String PASSWORD = "Bench-Password-4711";
  private static final String ECHO = "bench.echo";

  private ClusterBench() {
  }

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int clients = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    int edgeHz = TestBackends.freePort();
    int authHz = TestBackends.freePort();
    Map<String, String> cluster = Map.of("cluster.enabled", "true", "cluster.name", "xr-bench-" + System.nanoTime(),
        "cluster.members", "127.0.0.1:" + edgeHz + ",127.0.0.1:" + authHz, "cluster.secret", "bench-secret-" + System.nanoTime());
    Map<String, String> common = new HashMap<>(Map.of("auth.captcha.fixed_code", CODE, "log.level", "warn",
        "data.database.url", TestBackends.freshDatabase("cbench"), "data.redis.key_prefix", TestBackends.freshKeyPrefix("cbench")));
    Map<String, String> local = new HashMap<>(common);
    Map<String, String> auth = new HashMap<>(common);
    auth.putAll(cluster);
    auth.putAll(Map.of("cluster.port", String.valueOf(authHz), "cluster.roles", "auth,greeter,audit,health"));
    Map<String, String> edge = new HashMap<>(common);
    edge.putAll(cluster);
    edge.putAll(Map.of("cluster.port", String.valueOf(edgeHz), "cluster.roles", "http,grpc,health"));

    try (TestApp localApp = TestApp.start("cbenchlocal", local);
         TestApp authApp = TestApp.start("cbenchauth", auth);
         TestApp edgeApp = TestApp.start("cbenchedge", edge)) {
      System.out.printf(Locale.ROOT, "machine: %d cores; %d s per phase; %d HTTP clients%n",
          Runtime.getRuntime().availableProcessors(), seconds, clients);
      Vertx edgeVertx = edgeApp.app().vertx();
      edgeVertx.eventBus().<JsonObject>localConsumer(ECHO, m -> m.reply(m.body()))
          .completion().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      awaitRemote(edgeVertx);
      double[] localBus = busLatencies(edgeVertx, ECHO, seconds);
      double[] remoteBus = busLatencies(edgeVertx, CapabilityExport.ping("auth"), seconds);
      System.out.printf(Locale.ROOT, "bus request/reply, local consumer:     p50 %6.3f ms  p99 %6.3f ms (%d requests, one at a time)%n",
          localBus[0], localBus[1], (long) localBus[2]);
      System.out.printf(Locale.ROOT, "bus request/reply, remote member (TCP): p50 %6.3f ms  p99 %6.3f ms (%d requests, one at a time)%n",
          remoteBus[0], remoteBus[1], (long) remoteBus[2]);

      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      String localToken = token(localApp, http);
      String edgeToken = token(edgeApp, http);
      // alternating rounds: the first phase also warms the JIT for the shared HTTP code
      for (int round = 1; round <= 2; round++) {
        double[] localMe = throughput(localApp, http, localToken, seconds, clients);
        double[] remoteMe = throughput(edgeApp, http, edgeToken, seconds, clients);
        System.out.printf(Locale.ROOT, "round %d /api/v1/auth/me, auth on the same node: %8.1f req/s  p50 %6.2f ms  p99 %6.2f ms  errors %d%n",
            round, localMe[0], localMe[1], localMe[2], (long) localMe[3]);
        System.out.printf(Locale.ROOT, "round %d /api/v1/auth/me, auth on a remote node: %8.1f req/s  p50 %6.2f ms  p99 %6.2f ms  errors %d%n",
            round, remoteMe[0], remoteMe[1], remoteMe[2], (long) remoteMe[3]);
        System.out.printf(Locale.ROOT, "round %d remote/local throughput: %.2f (load average %.1f)%n", round, remoteMe[0] / localMe[0],
            java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      }
    }
    System.exit(0);
  }

  private static void awaitRemote(Vertx vertx) throws InterruptedException {
    for (int i = 0; i < 400; i++) {
      try {
        vertx.eventBus().request(CapabilityExport.ping("auth"), new JsonObject(), new DeliveryOptions().setSendTimeout(500))
            .toCompletionStage().toCompletableFuture().get(2, TimeUnit.SECONDS);
        return;
      } catch (Exception e) {
        Thread.sleep(50);
      }
    }
    throw new IllegalStateException("the auth member never answered");
  }

  /** p50, p99 (ms) and count of sequential request/replies for {@code seconds}, after a warm-up. */
  private static double[] busLatencies(Vertx vertx, String address, int seconds) throws Exception {
    List<Long> samples = new ArrayList<>();
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(5_000);
    JsonObject body = new JsonObject().put("payload", "x".repeat(200));
    long warm = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    long deadline = warm + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      long begin = System.nanoTime();
      vertx.eventBus().request(address, body, options).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      if (begin > warm) {
        samples.add(System.nanoTime() - begin);
      }
    }
    long[] sorted = samples.stream().mapToLong(Long::longValue).sorted().toArray();
    return new double[] {percentile(sorted, 50), percentile(sorted, 99), sorted.length};
  }

  private static double[] throughput(TestApp app, HttpClient http, String token, int seconds, int clients) throws Exception {
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    long warm = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    long deadline = warm + TimeUnit.SECONDS.toNanos(seconds);
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + "/api/v1/auth/me"))
        .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30)).build();
    for (int c = 0; c < clients; c++) {
      pool.submit(() -> {
        while (System.nanoTime() < deadline) {
          long begin = System.nanoTime();
          boolean good;
          try {
            good = http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
          } catch (Exception e) {
            good = false;
          }
          if (begin > warm) {
            (good ? ok : failed).incrementAndGet();
            latencies.add(System.nanoTime() - begin);
          }
        }
        return null;
      });
    }
    pool.shutdown();
    pool.awaitTermination(seconds + 60L, TimeUnit.SECONDS);
    long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    return new double[] {ok.get() / (double) seconds, percentile(sorted, 50), percentile(sorted, 99), failed.get()};
  }

  private static double percentile(long[] sorted, int p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1);
    return sorted[Math.max(0, index)] / 1_000_000.0;
  }

  private static String token(TestApp app, HttpClient http) throws Exception {
    String username = "cbench_" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    HttpResponse<String> r = post(app, http, "/api/v1/auth/register", new JsonObject().put("username", username)
        .put("password", PASSWORD).put("email", username + "@example.com").put("captcha_id", captcha(app, http))
        .put("captcha_code", CODE));
    if (r.statusCode() != 201) {
      throw new IllegalStateException("register: " + r.statusCode() + " " + r.body());
    }
    r = post(app, http, "/api/v1/auth/login", new JsonObject().put("username", username).put("password", PASSWORD)
        .put("captcha_id", captcha(app, http)).put("captcha_code", CODE));
    if (r.statusCode() != 200) {
      throw new IllegalStateException("login: " + r.statusCode() + " " + r.body());
    }
    return new JsonObject(r.body()).getString("access_token");
  }

  private static String captcha(TestApp app, HttpClient http) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort()
        + "/api/v1/auth/captcha")).build(), HttpResponse.BodyHandlers.ofString());
    return new JsonObject(r.body()).getString("captcha_id");
  }

  private static HttpResponse<String> post(TestApp app, HttpClient http, String path, JsonObject body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
  }

}
