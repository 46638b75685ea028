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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sandbox's wall on the event bus. Code running on a plugin's contexts (its deployments, and
 * anything whose thread carries a plugin's class loader) may not send to, nor receive from, the
 * addresses that carry credentials, codes, tokens or the host's own controls; a refused request
 * fails at once with {@code RECIPIENT_FAILURE 403}, a refused delivery is dropped. Everything else
 * (events, {@link PluginsApi#SEND_MAIL}, their own hook addresses) is open. Refusals are logged
 * (address only) and counted in {@code xredline_plugin_bus_refused_total}.
 */
final class BusGuard {
  private static final Logger LOG = LoggerFactory.getLogger(BusGuard.class);
  /** Never reachable from a plugin, either way. */
  static final List<String> SECRET_PREFIXES = List.of("xredline.auth.", "xredline.config.", "xredline.plugins.",
      "xredline.features.");
  /** Plugins answer hooks; asking them (and so spoofing the host) is the host's alone. */
  static final List<String> SEND_ONLY_PREFIXES = List.of("xredline.hooks.");

  private final Set<String> pluginDeployments = ConcurrentHashMap.newKeySet();
  private final EventBus bus;
  private final Counter refused;
  private final Handler<DeliveryContext<Object>> outbound = this::outbound;
  private final Handler<DeliveryContext<Object>> inbound = this::inbound;

  BusGuard(EventBus bus, MeterRegistry registry) {
    this.bus = bus;
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

  void trust(String deploymentId) {
    pluginDeployments.add(deploymentId);
  }

  void forget(String deploymentId) {
    pluginDeployments.remove(deploymentId);
  }

  /** True when the current thread runs plugin code. */
  boolean inPlugin() {
    Context context = Vertx.currentContext();
    if (context != null && context.deploymentID() != null && pluginDeployments.contains(context.deploymentID())) {
      return true;
    }
    return Thread.currentThread().getContextClassLoader() instanceof PluginCatalog.PluginClassLoader;
  }

  static boolean secret(String address) {
    return SECRET_PREFIXES.stream().anyMatch(address::startsWith);
  }

  private void outbound(DeliveryContext<Object> ctx) {
    String address = ctx.message().address();
    if (inPlugin() && (secret(address) || SEND_ONLY_PREFIXES.stream().anyMatch(address::startsWith))) {
      refused.increment();
      LOG.warn("plugin send to {} refused: protected address", address);
      if (ctx.message().replyAddress() != null) {
        ctx.message().fail(403, "plugins may not use " + address);
      }
      return;
    }
    ctx.next();
  }

  private void inbound(DeliveryContext<Object> ctx) {
    String address = ctx.message().address();
    if (secret(address) && inPlugin()) {
      refused.increment();
      LOG.warn("delivery of {} to a plugin refused: protected address", address);
      // the sender learns at once instead of waiting for its timeout
      if (ctx.message().replyAddress() != null) {
        ctx.message().fail(403, "protected address");
      }
      return;
    }
    ctx.next();
  }
}
