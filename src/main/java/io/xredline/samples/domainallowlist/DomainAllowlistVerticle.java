package io.xredline.samples.domainallowlist;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.xredline.plugins.PluginsApi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Locale;

/**
 * {@code before-register}: the email's domain must be one of {@code domains} or a subdomain of
 * one; otherwise a veto with {@code message} (default names the domains). No domains configured:
 * everything is allowed and a warning says so, since refusing everyone would be a surprise.
 */
final class DomainAllowlistVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(DomainAllowlistVerticle.class);
  private List<String> domains;
  private String message;

  @Override
  public Future<?> start() {
    Object raw = config().getValue("domains");
    // a list in YAML; a comma-separated string from -Dxredline.plugins.domain-allowlist.domains=…
    JsonArray configured = raw instanceof JsonArray a ? a
        : raw == null ? new JsonArray() : new JsonArray(List.of(String.valueOf(raw).split(",")));
    domains = configured.stream().map(d -> String.valueOf(d).trim().toLowerCase(Locale.ROOT))
        .filter(d -> !d.isEmpty()).toList();
    message = config().getString("message", "registration is open to " + String.join(", ", domains) + " addresses only");
    if (domains.isEmpty()) {
      LOG.warn("domain-allowlist: plugins.domain-allowlist.domains is empty, every domain is allowed");
    }
    return vertx.eventBus().<JsonObject>localConsumer(
        PluginsApi.hookAddress(PluginsApi.Hook.BEFORE_REGISTER, DomainAllowlistPlugin.NAME), this::check).completion();
  }

  private void check(Message<JsonObject> m) {
    String email = m.body().getString("email", "");
    int at = email.lastIndexOf('@');
    String domain = at < 0 ? "" : email.substring(at + 1).toLowerCase(Locale.ROOT);
    boolean allowed = domains.isEmpty() || domains.stream().anyMatch(d -> domain.equals(d) || domain.endsWith("." + d));
    m.reply(allowed ? PluginsApi.allow() : PluginsApi.veto(message));
  }
}
