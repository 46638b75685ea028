package io.xredline.health;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.redis.client.Redis;
import io.xredline.bus.CapabilityVerticle;
import io.xredline.bus.ProcessRole;
import io.xredline.config.AppConfig;
import io.xredline.data.Backends;
import io.xredline.data.RedisClients;
import io.xredline.data.RedisNodes;

import java.util.EnumMap;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Owns every health check (built on vertx-health-check) and answers {@link HealthApi#QUERY}.
 * Liveness looks only inside the process; readiness adds PostgreSQL, Redis, memory, HTTP
 * dependencies and the lifecycle (started, not draining). Results are cached for
 * {@code monitoring.health.cache_ttl} so a probe storm costs one round of checks.
 */
public final class HealthVerticle extends CapabilityVerticle {
  private final Map<HealthApi.Probe, HealthChecks> probes = new EnumMap<>(HealthApi.Probe.class);
  private final Map<HealthApi.Probe, Cached> cache = new EnumMap<>(HealthApi.Probe.class);
  private Redis redis;
  private DependencyChecks checks;
  private RedisNodes redisNodes;
  private EventLoopProbe loopProbe;
  private ProcessRole announcer;
  private volatile boolean migrated;
  private volatile boolean started;
  private volatile boolean draining;

  private record Cached(long expiresAt, Future<HealthApi.Report> report) {
  }

  private final ClusterManager clusterManager;

  /** {@code clusterManager} is null when not clustered; otherwise readiness includes a {@code cluster} check. */
  public HealthVerticle(AppConfig config, Backends backends, ClusterManager clusterManager) {
    super(config, backends);
    this.clusterManager = clusterManager;
  }

  @Override
  public Future<?> start() {
    redis = RedisClients.client(vertx, config.data().redis(), backends.redisUrl());
    checks = new DependencyChecks(vertx, pool(), redis);
    loopProbe = EventLoopProbe.start(vertx, "health");
    AppConfig.Health health = config.monitoring().health();
    long timeout = health.checkTimeout().toMillis();

    Map<String, Supplier<Future<Status>>> live = Map.of(
        "event-loop", () -> checks.eventLoops(health.eventLoopMaxDelay().toMillis()));
    Map<String, Supplier<Future<Status>>> ready = new java.util.LinkedHashMap<>();
    ready.put("lifecycle", this::lifecycle);
    ready.put("database", checks::database);
    ready.put("redis", redisCheck(timeout));
    ready.put("memory", () -> DependencyChecks.memory(health.memoryThreshold()));
    ready.putAll(live);
    health.httpDependencies().forEach((name, url) -> ready.put("http:" + name, () -> checks.http(url, timeout)));
    if (clusterManager != null) {
      ready.put("cluster", () -> DependencyChecks.cluster(clusterManager, config.cluster().minMembers()));
      List<String> needed = config.cluster().needsFromCluster();
      if (!needed.isEmpty()) {
        ready.put("capabilities", () -> capabilities(needed, timeout));
      }
    }
    Map<String, Supplier<Future<Status>>> startup = Map.of("startup", this::startup);
    Map<String, Supplier<Future<Status>>> all = new java.util.LinkedHashMap<>(ready);
    all.putAll(startup);

    probes.put(HealthApi.Probe.LIVE, register(live, timeout));
    probes.put(HealthApi.Probe.READY, register(ready, timeout));
    probes.put(HealthApi.Probe.STARTUP, register(startup, timeout));
    probes.put(HealthApi.Probe.ALL, register(all, timeout));

    announcer = ProcessRole.claim(vertx, "health-announcer");
    vertx.eventBus().<JsonObject>localConsumer(HealthApi.LIFECYCLE, this::onLifecycle);
    // one round now loads every check's classes and opens the connections, so the first probe is fast
    probes.get(HealthApi.Probe.ALL).checkStatus();
    return this.<JsonObject>serveLocal(HealthApi.QUERY, this::onQuery);
  }

  /** Standalone: a PING, as always. Sentinel and cluster: the routed PING plus every node on its own. */
  private Supplier<Future<Status>> redisCheck(long timeoutMs) {
    AppConfig.Redis redisConfig = config.data().redis();
    if (redisConfig.mode() == AppConfig.RedisMode.STANDALONE) {
      return checks::redis;
    }
    // discovery and the node pings run one after the other inside the check's own timeout
    redisNodes = new RedisNodes(vertx, redisConfig, Math.max(10, timeoutMs / 3));
    return new RedisCheck(redis, redisNodes, redisConfig)::status;
  }

  private HealthChecks register(Map<String, Supplier<Future<Status>>> checksById, long timeoutMs) {
    HealthChecks healthChecks = HealthChecks.create(vertx);
    checksById.forEach((id, check) -> healthChecks.register(id, timeoutMs, timed(check)));
    return healthChecks;
  }

  /** Adds {@code duration_ms} and turns a failed future into DOWN with the error, never a stack trace. */
  private static Handler<Promise<Status>> timed(Supplier<Future<Status>> check) {
    return promise -> {
      long begin = System.nanoTime();
      // Future.future turns a check that throws into a failed one
      Future.<Status>future(p -> check.get().onComplete(p)).onComplete(status -> {
        Status s = status == null ? Status.OK() : status;
        JsonObject data = s.getData() == null ? new JsonObject() : s.getData();
        s.setData(data.put("duration_ms", elapsedMs(begin)));
        promise.tryComplete(s);
      }, failure -> promise.tryComplete(Status.KO(new JsonObject()
          .put("duration_ms", elapsedMs(begin))
          .put("error", failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage()))));
    };
  }

  private static double elapsedMs(long begin) {
    return Math.round((System.nanoTime() - begin) / 10_000.0) / 100.0;
  }

  /**
   * An edge node is ready only while each capability it calls has a member answering a ping; one
   * retry covers a member that died before the cluster noticed (the ping went to it).
   */
  private Future<Status> capabilities(List<String> needed, long timeoutMs) {
    long pingMs = Math.max(10, timeoutMs / 3);
    List<Future<Boolean>> answers = new java.util.ArrayList<>();
    for (String capability : needed) {
      answers.add(ping(capability, pingMs).recover(e -> ping(capability, pingMs)).map(true).otherwise(false));
    }
    return Future.all(answers).map(all -> {
      JsonObject data = new JsonObject();
      boolean up = true;
      for (int i = 0; i < needed.size(); i++) {
        boolean answered = answers.get(i).result();
        data.put(needed.get(i), answered ? "UP" : "DOWN");
        up &= answered;
      }
      return up ? Status.OK(data) : Status.KO(data);
    });
  }

  private Future<JsonObject> ping(String capability, long timeoutMs) {
    return vertx.eventBus().<JsonObject>request(io.xredline.bus.CapabilityExport.ping(capability), new JsonObject(),
        new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(timeoutMs)).map(m -> m.body());
  }

  private Future<Status> lifecycle() {
    JsonObject data = new JsonObject().put("started", started).put("draining", draining);
    return Future.succeededFuture(started && !draining ? Status.OK(data) : Status.KO(data));
  }

  private Future<Status> startup() {
    JsonObject data = new JsonObject().put("migrations", migrated ? "done" : "pending")
        .put("deployments", started ? "done" : "pending");
    return Future.succeededFuture(migrated && started ? Status.OK(data) : Status.KO(data));
  }

  private void onLifecycle(Message<JsonObject> message) {
    switch (HealthApi.Phase.valueOf(message.body().getString("phase"))) {
      case MIGRATED -> migrated = true;
      case STARTED -> started = true;
      case DRAINING -> draining = true;
    }
    cache.clear();
    if (announcer.held()) {
      // every instance hears the phase; one tells the rest of the process
      vertx.eventBus().publish(HealthApi.CHANGED, message.body(), new io.vertx.core.eventbus.DeliveryOptions().setLocalOnly(true));
    }
  }

  private void onQuery(Message<JsonObject> message) {
    HealthApi.Probe probe;
    try {
      probe = HealthApi.Probe.valueOf(message.body().getString("probe", "all").toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      probe = HealthApi.Probe.ALL;
    }
    Cached cached = report(probe);
    DeliveryOptions fresh = new DeliveryOptions().addHeader(HealthApi.FRESH_UNTIL_HEADER,
        Long.toString(cached.expiresAt()));
    cached.report().onComplete(r -> message.reply(r.body(), fresh), message::reply);
  }

  private Cached report(HealthApi.Probe probe) {
    long now = System.nanoTime();
    Cached cached = cache.get(probe);
    if (cached != null && now - cached.expiresAt() < 0) {
      return cached;
    }
    Cached fresh = new Cached(now + config.monitoring().health().cacheTtl().toNanos(),
        probes.get(probe).checkStatus().map(this::toReport));
    cache.put(probe, fresh);
    return fresh;
  }

  private HealthApi.Report toReport(CheckResult result) {
    boolean up = CheckResult.isUp(result);
    JsonArray checks = new JsonArray();
    for (CheckResult check : result.getChecks()) {
      JsonObject data = check.getData() == null ? new JsonObject() : check.getData().copy();
      if (check.getFailure() != null) {
        data.put("error", check.getFailure().getMessage());
      }
      if (!data.containsKey("duration_ms")) {
        // only a check cut off by its timeout has no timing of its own: it took the whole timeout
        data.put("duration_ms", (double) config.monitoring().health().checkTimeout().toMillis());
      }
      checks.add(new JsonObject().put("id", check.getId())
          .put("status", CheckResult.isUp(check) ? "UP" : "DOWN")
          .put("data", data));
    }
    String status = up ? "UP" : "DOWN";
    return new HealthApi.Report(up, new JsonObject().put("status", status).put("checks", checks).put("outcome", status));
  }

  @Override
  public Future<?> stop() {
    if (announcer != null) {
      announcer.release();
    }
    if (loopProbe != null) {
      loopProbe.stop();
    }
    if (checks != null) {
      checks.close();
    }
    return Future.join(release(),
        redis == null ? Future.succeededFuture() : redis.close(),
        redisNodes == null ? Future.succeededFuture() : redisNodes.close());
  }
}
