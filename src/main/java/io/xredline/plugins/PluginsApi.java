package io.xredline.plugins;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.xredline.observability.RequestContext;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The plugin host's bus contract (CONTRACT §12). A capability asks a hook on {@link Hook#address()}
 * with a JSON payload; the host asks every plugin that answers it on {@link #hookAddress}, each
 * within {@code plugins.sandbox.timeout}, and replies {@code {verdict: allow|veto, plugin, message,
 * annotations: {plugin: {...}}}}. A plugin replies {@link #allow()}, {@link #veto} or
 * {@link #annotate}. Asking never fails and never waits longer than the sandbox allows: no host,
 * no plugin, a slow or broken one all mean "allow".
 */
public final class PluginsApi {
  /** {@code {}} → {@code {plugins: [{name, version, state, hooks, failures, …}]}}; not reachable from plugins. */
  public static final String LIST = "xredline.plugins.list";
  /**
   * A service the host offers plugins: {@code {to, subject, text}} is sent through the service's
   * mail sender (the one that emails captcha codes), or logged with the address masked when no
   * SMTP server is configured.
   */
  public static final String SEND_MAIL = "xredline.mail.send";

  public enum Hook {
    BEFORE_REGISTER, BEFORE_LOGIN, AFTER_LOGIN;

    public String hookName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public String address() {
      return "xredline.hooks." + hookName();
    }

    public static Set<String> names() {
      return Arrays.stream(values()).map(Hook::hookName).collect(Collectors.toUnmodifiableSet());
    }
  }

  private PluginsApi() {
  }

  /** Where plugin {@code pluginName} answers {@code hook}. */
  public static String hookAddress(Hook hook, String pluginName) {
    return hook.address() + "." + pluginName;
  }

  public static JsonObject allow() {
    return new JsonObject().put("verdict", "allow");
  }

  /** Refuses the operation; {@code message} is shown to the user (sanitised: one line, at most 200 characters). */
  public static JsonObject veto(String message) {
    return new JsonObject().put("verdict", "veto").put("message", message);
  }

  /** Allows, attaching {@code notes} (passed on to later hooks of the same operation). */
  public static JsonObject annotate(JsonObject notes) {
    return allow().put("annotations", notes);
  }

  /** The host's answer for one hook. */
  public record Verdict(boolean vetoed, String plugin, String message, JsonObject annotations) {
    public static final Verdict ALLOW = new Verdict(false, null, null, new JsonObject());

    public JsonObject toJson() {
      return new JsonObject().put("verdict", vetoed ? "veto" : "allow").put("plugin", plugin).put("message", message)
          .put("annotations", annotations);
    }

    static Verdict fromJson(JsonObject j) {
      if (j == null) {
        return ALLOW;
      }
      JsonObject notes = j.getValue("annotations") instanceof JsonObject o ? o : new JsonObject();
      return new Verdict("veto".equals(j.getString("verdict")), j.getString("plugin"), j.getString("message"), notes);
    }
  }

  /**
   * Asks {@code hook}. {@code timeout} is the sandbox timeout: the host answers within it, so twice
   * that bounds the wait even if the host itself were stuck. Never fails.
   */
  public static Future<Verdict> ask(EventBus bus, Hook hook, JsonObject payload, String requestId, Duration timeout) {
    DeliveryOptions options = options(requestId).setSendTimeout(Math.max(1, timeout.toMillis() * 2));
    return bus.<JsonObject>request(hook.address(), payload.copy().put("hook", hook.hookName()), options)
        .map(reply -> Verdict.fromJson(reply.body()))
        .otherwise(Verdict.ALLOW);
  }

  /** Tells {@code hook} what happened; nobody waits for the plugins' answers. */
  public static void tell(EventBus bus, Hook hook, JsonObject payload, String requestId) {
    bus.send(hook.address(), payload.copy().put("hook", hook.hookName()), options(requestId));
  }

  /** How a capability calls hooks: nothing at all when {@code plugins.enabled} is false. */
  public record Hooks(EventBus bus, boolean enabled, Duration timeout) {
    public static Hooks of(EventBus bus, io.xredline.config.AppConfig.Plugins config) {
      return new Hooks(bus, config.enabled(), config.timeout());
    }

    public Future<Verdict> ask(Hook hook, JsonObject payload, String requestId) {
      return enabled ? PluginsApi.ask(bus, hook, payload, requestId, timeout) : Future.succeededFuture(Verdict.ALLOW);
    }

    public void tell(Hook hook, JsonObject payload, String requestId) {
      if (enabled) {
        PluginsApi.tell(bus, hook, payload, requestId);
      }
    }
  }

  public static Future<JsonObject> list(EventBus bus, String requestId, long timeoutMs) {
    return bus.<JsonObject>request(LIST, new JsonObject(), options(requestId).setSendTimeout(timeoutMs))
        .map(reply -> reply.body());
  }

  private static DeliveryOptions options(String requestId) {
    DeliveryOptions options = new DeliveryOptions().setLocalOnly(true);
    if (requestId != null) {
      options.addHeader(RequestContext.REQUEST_ID_HEADER, requestId);
    }
    return options;
  }
}
