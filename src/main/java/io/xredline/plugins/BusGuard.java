package io.xredline.plugins;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.eventbus.EventBus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The sandbox's wall on the event bus. Code running on a plugin's contexts (its deployments, and
 * anything whose thread carries a plugin's class loader) may not send to, nor receive from, the
 * addresses that carry credentials, codes, tokens or the host's own controls; a refused request
 * fails at once with {@code RECIPIENT_FAILURE 403}, a refused delivery is dropped. Everything else
 * (events, {@link PluginsApi#SEND_MAIL}, their own hook addresses) is open. Refusals are logged
 * (address only), counted in {@code xredline_plugin_bus_refused_total} and reported to the host,
 * which stops the offending plugin: a consumer on a protected address would otherwise take its
 * turn in point-to-point delivery and make those messages fail.
 */
final class BusGuard {
  private static final Logger LOG = LoggerFactory.getLogger(BusGuard.class);
  /** Never reachable from a plugin, either way. */
  static final List<String> SECRET_PREFIXES = List.of("xredline.auth.", "xredline.config.", "xredline.plugins.",
      "xredline.features.");
  /** Plugins answer hooks; asking them (and so spoofing the host) is the host's alone. */
  static final List<String> SEND_ONLY_PREFIXES = List.of("xredline.hooks.");

  /** Plugin deployment id → plugin name; plugin class loader → plugin name. */
  private final Map<String, String> pluginDeployments = new ConcurrentHashMap<>();
  private final Map<ClassLoader, String> pluginLoaders = new ConcurrentHashMap<>();
  private final EventBus bus;
  private final BiConsumer<String, String> onViolation;
  private final Counter refused;
  private final Handler<DeliveryContext<Object>> outbound = this::outbound;
  private final Handler<DeliveryContext<Object>> inbound = this::inbound;

  /** {@code onViolation(plugin name, address)} runs on the offending thread: hand it over to a context. */
  BusGuard(EventBus bus, MeterRegistry registry, BiConsumer<String, String> onViolation) {
    this.bus = bus;
    this.onViolation = onViolation;
    this.refused = Counter.builder("xredline.plugin.bus.refused")
        .description("event-bus messages a plugin tried to send to or receive from a protected address")
        .register(registry);
  }

  void install() {
    bus.addOutboundInterceptor(outbound);
    bus.addInboundInterceptor(inbound);
  }

  void uninstall() {
    bus.removeOutboundInterceptor(outbound);
    bus.removeInboundInterceptor(inbound);
  }

  /** Marks a plugin's code before it runs: its class loader (set as context class loader of its threads). */
  void watch(ClassLoader loader, String plugin) {
    pluginLoaders.put(loader, plugin);
  }

  /** Marks a plugin's deployment once it has an id. */
  void watch(String deploymentId, String plugin) {
    pluginDeployments.put(deploymentId, plugin);
  }

  /** The plugin whose code runs on the current thread, or null. */
  String plugin() {
    Context context = Vertx.currentContext();
    if (context != null && context.deploymentID() != null) {
      String byDeployment = pluginDeployments.get(context.deploymentID());
      if (byDeployment != null) {
        return byDeployment;
      }
    }
    ClassLoader tccl = Thread.currentThread().getContextClassLoader();
    if (tccl instanceof PluginCatalog.PluginClassLoader) {
      return pluginLoaders.getOrDefault(tccl, tccl.getName());
    }
    return null;
  }

  static boolean secret(String address) {
    return startsWithAny(address, SECRET_PREFIXES);
  }

  /**
   * A loop, not a stream: every message on the bus passes here twice (out and in), and a stream
   * per check was a pipeline to build per message and one more for the JIT to compile at warm-up.
   */
  private static boolean startsWithAny(String address, List<String> prefixes) {
    if (address == null) {
      return false;
    }
    for (int i = 0; i < prefixes.size(); i++) {
      if (address.startsWith(prefixes.get(i))) {
        return true;
      }
    }
    return false;
  }

  private void outbound(DeliveryContext<Object> ctx) {
    String address = ctx.message().address();
    String plugin = secret(address) || startsWithAny(address, SEND_ONLY_PREFIXES) ? plugin() : null;
    if (plugin != null) {
      refused.increment();
      LOG.warn("plugin {}: send to {} refused: protected address", plugin, address);
      onViolation.accept(plugin, address);
      if (ctx.message().replyAddress() != null) {
        ctx.message().fail(403, "plugins may not use " + address);
      }
      return;
    }
    ctx.next();
  }

  private void inbound(DeliveryContext<Object> ctx) {
    String address = ctx.message().address();
    String plugin = secret(address) ? plugin() : null;
    if (plugin != null) {
      refused.increment();
      LOG.warn("plugin {}: delivery of {} refused: protected address", plugin, address);
      onViolation.accept(plugin, address);
      // the sender learns at once instead of waiting for its timeout
      if (ctx.message().replyAddress() != null) {
        ctx.message().fail(403, "protected address");
      }
      return;
    }
    ctx.next();
  }
}
