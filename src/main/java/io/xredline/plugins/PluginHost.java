package io.xredline.plugins;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.xredline.config.AppConfig;
import io.xredline.observability.RequestContext;
import io.xredline.observability.Telemetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs the plugins (CONTRACT §12): finds them ({@link PluginCatalog}), deploys each as a worker
 * verticle on a worker pool of its own with its {@code plugins.<name>} block as config, answers
 * the hook addresses by asking each plugin within the sandbox timeout behind its own circuit
 * breaker, counts calls, failures and latency per plugin, keeps plugins off protected addresses
 * ({@link BusGuard}) and lists them ({@link PluginsApi#LIST}). A plugin that fails to load or to
 * start is listed as {@code failed}; the service starts anyway.
 */
public final class PluginHost extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(PluginHost.class);
  private static final int MESSAGE_MAX = 200;
  /** A plugin whose start() has not finished by then is left starting; the service does not wait longer. */
  private static final Duration START_BOUND = Duration.ofSeconds(10);
  /**
   * Calls a plugin may have unanswered at once (answered late counts as answered): a plugin's
   * worker runs them one by one, so this bounds the queue a stuck plugin can build — and with it
   * how long undeploying it (shutdown) waits for that queue. More are refused as failures ("busy").
   */
  static final int MAX_IN_FLIGHT = 8;

  private final AppConfig.Plugins config;
  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private BusGuard guard;
  private MeterRegistry registry;

  private enum State { STARTING, ACTIVE, FAILED, DISABLED }

  private static final class Entry {
    final String name;
    final String version;
    final Set<String> hooks;
    final String source;
    final PluginBreaker breaker;
    State state = State.STARTING;
    String problem;
    String deploymentId;
    long calls;
    int inFlight;

    Entry(String name, String version, Set<String> hooks, String source, PluginBreaker breaker) {
      this.name = name;
      this.version = version;
      this.hooks = hooks;
      this.source = source;
      this.breaker = breaker;
    }
  }

  public PluginHost(AppConfig.Plugins config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    registry = Telemetry.registry(vertx);
    io.vertx.core.Context own = vertx.getOrCreateContext();
    guard = new BusGuard(vertx.eventBus(), registry, (plugin, address) -> own.runOnContext(v -> eject(plugin, address)));
    guard.install();
    List<Future<?>> consumers = new ArrayList<>();
    for (PluginsApi.Hook hook : PluginsApi.Hook.values()) {
      consumers.add(vertx.eventBus().<JsonObject>localConsumer(hook.address(), m -> dispatch(hook, m)).completion());
    }
    consumers.add(vertx.eventBus().<JsonObject>localConsumer(PluginsApi.LIST, m -> m.reply(list())).completion());
    return Future.all(consumers)
        .compose(v -> vertx.executeBlocking(() -> PluginCatalog.discover(config.directory()), false))
        .compose(this::deployAll);
  }

  private Future<?> deployAll(PluginCatalog.Result result) {
    for (PluginCatalog.Broken b : result.broken()) {
      Entry e = new Entry(b.name(), "unknown", Set.of(), b.source(), breaker());
      e.state = State.FAILED;
      e.problem = b.problem();
      entries.putIfAbsent(b.name(), e);
    }
    List<Future<?>> starts = new ArrayList<>();
    for (PluginCatalog.Found found : result.found()) {
      starts.add(deploy(found));
    }
    Future<?> all = Future.join(starts);
    Future<Void> bound = Future.future(p -> vertx.setTimer(START_BOUND.toMillis(), id -> p.tryComplete()));
    return Future.any(all, bound).otherwiseEmpty();
  }

  private Future<?> deploy(PluginCatalog.Found found) {
    Plugin plugin = found.plugin();
    String name;
    Entry entry;
    try {
      name = plugin.name();
      Set<String> hooks = new TreeSet<>(plugin.hooks());
      entry = new Entry(name, String.valueOf(plugin.version()), hooks, found.source(), breaker());
      if (name == null || !name.matches("[a-z][a-z0-9_-]{0,63}")) {
        throw new IllegalArgumentException("plugin name must be lower case letters, digits, - and _: " + name);
      }
      hooks.removeIf(h -> {
        boolean unknown = !PluginsApi.Hook.names().contains(h);
        if (unknown) {
          LOG.warn("plugin {} names unknown hook {}: ignored", name, h);
        }
        return unknown;
      });
    } catch (RuntimeException e) {
      LOG.warn("plugin from {} is not usable: {}", found.source(), e.getMessage());
      Entry broken = new Entry(found.source(), "unknown", Set.of(), found.source(), breaker());
      broken.state = State.FAILED;
      broken.problem = e.getMessage();
      entries.putIfAbsent(found.source(), broken);
      return Future.succeededFuture();
    }
    if (entries.containsKey(name)) {
      LOG.warn("plugin {} from {} ignored: a plugin of that name is already loaded", name, found.source());
      return Future.succeededFuture();
    }
    entries.put(name, entry);
    JsonObject settings = config.settings(name);
    if (!settings.getBoolean("enabled", true)) {
      entry.state = State.DISABLED;
      LOG.info("plugin {} {} disabled by plugins.{}.enabled", name, entry.version, name);
      return Future.succeededFuture();
    }
    DeploymentOptions options = new DeploymentOptions()
        .setThreadingModel(ThreadingModel.WORKER)
        .setWorkerPoolName("xredline-plugin-" + name)
        .setWorkerPoolSize(2)
        .setClassLoader(found.loader())
        .setConfig(settings);
    guard.watch(found.loader(), name);
    ClassLoader previous = Thread.currentThread().getContextClassLoader();
    Future<String> deployed;
    try {
      // the plugin's verticle is built with its own loader as context class loader (libraries that use it find the jar)
      Thread.currentThread().setContextClassLoader(found.loader());
      deployed = vertx.deployVerticle(plugin::verticle, options);
    } finally {
      Thread.currentThread().setContextClassLoader(previous);
    }
    return deployed.onComplete(id -> {
      guard.watch(id, name);
      entry.deploymentId = id;
      if (entry.state != State.STARTING) {
        // ejected while starting
        vertx.undeploy(id);
        return;
      }
      entry.state = State.ACTIVE;
      LOG.info("plugin {} {} started from {} (hooks {})", name, entry.version, found.source(), entry.hooks);
    }, e -> {
      entry.state = State.FAILED;
      entry.problem = e.getMessage();
      LOG.warn("plugin {} failed to start: {}", name, e.getMessage());
    });
  }

  /** A plugin that reached for a protected address is stopped for good (until a restart). */
  private void eject(String plugin, String address) {
    Entry e = entries.get(plugin);
    if (e == null || e.state == State.FAILED) {
      return;
    }
    LOG.error("plugin {} stopped: it used the protected address {}", plugin, address);
    e.state = State.FAILED;
    e.problem = "stopped: used the protected address " + address;
    if (e.deploymentId != null) {
      vertx.undeploy(e.deploymentId).onFailure(x -> LOG.warn("plugin {} did not stop cleanly: {}", plugin, x.getMessage()));
    }
  }

  private PluginBreaker breaker() {
    return new PluginBreaker(config.maxFailures(), config.coolDown());
  }

  private void dispatch(PluginsApi.Hook hook, Message<JsonObject> message) {
    long now = System.nanoTime();
    List<Entry> targets = new ArrayList<>();
    for (Entry e : entries.values()) {
      if (e.state == State.ACTIVE && e.hooks.contains(hook.hookName()) && e.breaker.allows(now)) {
        targets.add(e);
      }
    }
    String requestId = message.headers().get(RequestContext.REQUEST_ID_HEADER);
    JsonObject payload = message.body() == null ? new JsonObject() : message.body();
    List<Future<JsonObject>> calls = new ArrayList<>();
    for (Entry e : targets) {
      calls.add(call(e, hook, payload, requestId));
    }
    Future.join(calls).onComplete(ar -> {
      if (message.replyAddress() == null) {
        return;
      }
      PluginsApi.Verdict verdict = PluginsApi.Verdict.ALLOW;
      JsonObject notes = new JsonObject();
      for (int i = 0; i < targets.size(); i++) {
        JsonObject answer = calls.get(i).result();
        if (answer == null) {
          continue;
        }
        if (answer.getValue("annotations") instanceof JsonObject a && !a.isEmpty()) {
          notes.put(targets.get(i).name, a);
        }
        if (!verdict.vetoed() && "veto".equals(answer.getString("verdict"))) {
          verdict = new PluginsApi.Verdict(true, targets.get(i).name, sanitise(answer.getString("message")), notes);
        }
      }
      message.reply(new PluginsApi.Verdict(verdict.vetoed(), verdict.plugin(), verdict.message(), notes).toJson());
    });
  }

  /** One plugin's answer, or null when it failed, timed out or answered nonsense (a failure for its breaker). */
  private Future<JsonObject> call(Entry e, PluginsApi.Hook hook, JsonObject payload, String requestId) {
    e.calls++;
    long begin = System.nanoTime();
    if (e.inFlight >= MAX_IN_FLIGHT) {
      return settle(e, hook, begin, Future.failedFuture(new IllegalStateException("busy")), "busy");
    }
    // the answer is waited for within the sandbox timeout; the reply itself (late or not) is awaited
    // longer, so the in-flight count knows when the plugin's worker is done with the call
    long lateBound = Math.max(config.timeout().toMillis() * 10, 5_000);
    DeliveryOptions options = new DeliveryOptions().setLocalOnly(true).setSendTimeout(lateBound);
    if (requestId != null) {
      options.addHeader(RequestContext.REQUEST_ID_HEADER, requestId);
    }
    io.vertx.core.Promise<Object> answer = io.vertx.core.Promise.promise();
    long timer = vertx.setTimer(config.timeout().toMillis(), id -> answer.tryFail(new java.util.concurrent.TimeoutException()));
    e.inFlight++;
    vertx.eventBus().<Object>request(PluginsApi.hookAddress(hook, e.name), payload.copy(), options).onComplete(ar -> {
      e.inFlight--;
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        answer.tryComplete(ar.result().body());
      } else {
        answer.tryFail(ar.cause());
      }
    });
    Future<JsonObject> checked = answer.future().map(body -> {
      if (!(body instanceof JsonObject json)
          || !("allow".equals(json.getValue("verdict")) || "veto".equals(json.getValue("verdict")))) {
        throw new IllegalStateException("answer is not {verdict: allow|veto}");
      }
      return json;
    });
    return checked.transform(ar -> settle(e, hook, begin, ar.succeeded() ? Future.succeededFuture(ar.result())
        : Future.failedFuture(ar.cause()), ar.succeeded() ? ar.result().getString("verdict")
        : ar.cause() instanceof java.util.concurrent.TimeoutException ? "timeout" : "error"));
  }

  /** Breaker, meters and log for one finished call; always succeeds, with null for a failure. */
  private Future<JsonObject> settle(Entry e, PluginsApi.Hook hook, long begin, Future<JsonObject> result, String outcome) {
    long end = System.nanoTime();
    if (result.succeeded()) {
      e.breaker.succeeded();
    } else {
      e.breaker.failed(end);
      Counter.builder("xredline.plugin.failures").description("hook calls a plugin failed, timed out or answered wrongly")
          .tag("plugin", e.name).tag("hook", hook.hookName()).register(registry).increment();
      if (e.breaker.state(end) == PluginBreaker.State.OPEN && e.breaker.consecutiveFailures() >= config.maxFailures()) {
        LOG.warn("plugin {} switched off for {} after {} failures in a row (last: {})", e.name, config.coolDown(),
            e.breaker.consecutiveFailures(), outcome);
      }
    }
    Timer.builder("xredline.plugin.hook").description("hook calls per plugin: count, latency, outcome")
        .tag("plugin", e.name).tag("hook", hook.hookName()).tag("outcome", outcome)
        .register(registry).record(Duration.ofNanos(end - begin));
    return Future.succeededFuture(result.succeeded() ? result.result() : null);
  }

  /** One line of at most {@value #MESSAGE_MAX} characters, no control or markup characters. */
  static String sanitise(String message) {
    if (message == null) {
      return "refused by a plugin";
    }
    String clean = message.replaceAll("[\\p{Cntrl}\\p{Cf}<>]", " ").replaceAll("\\s+", " ").trim();
    if (clean.isEmpty()) {
      return "refused by a plugin";
    }
    return clean.length() <= MESSAGE_MAX ? clean : clean.substring(0, clean.offsetByCodePoints(0, Math.min(
        clean.codePointCount(0, clean.length()), MESSAGE_MAX - 1))) + "…";
  }

  private JsonObject list() {
    long now = System.nanoTime();
    JsonArray plugins = new JsonArray();
    for (Entry e : entries.values()) {
      String state = switch (e.state) {
        case ACTIVE -> switch (e.breaker.state(now)) {
          case CLOSED -> "active";
          case OPEN -> "open";
          case HALF_OPEN -> "half_open";
        };
        default -> e.state.name().toLowerCase(Locale.ROOT);
      };
      JsonObject p = new JsonObject().put("name", e.name).put("version", e.version).put("state", state)
          .put("hooks", new JsonArray(List.copyOf(e.hooks))).put("failures", e.breaker.consecutiveFailures())
          .put("total_failures", e.breaker.totalFailures()).put("calls", e.calls).put("source", e.source);
      if (e.problem != null) {
        p.put("problem", e.problem);
      }
      plugins.add(p);
    }
    return new JsonObject().put("plugins", plugins);
  }

  @Override
  public Future<?> stop() {
    if (guard != null) {
      guard.uninstall();
    }
    return Future.succeededFuture();
  }
}
