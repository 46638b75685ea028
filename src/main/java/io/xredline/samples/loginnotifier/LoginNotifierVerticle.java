package io.xredline.samples.loginnotifier;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.xredline.plugins.PluginsApi;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code after-login}: remembers the client addresses each account signed in from (in memory, the
 * last {@code max_addresses} per account, for the {@code max_users} most recent accounts) and, on
 * a sign-in from an address not among them, sends a notice through {@link PluginsApi#SEND_MAIL}.
 * The first sign-in seen for an account only records its address, unless {@code notify_first}:
 * after a restart nobody gets a notice for an address they always use.
 */
final class LoginNotifierVerticle extends VerticleBase {
  private Map<Object, Set<String>> seen;
  private int maxAddresses;
  private boolean notifyFirst;
  private String subject;

  @Override
  public Future<?> start() {
    int maxUsers = Integer.parseInt(setting("max_users", 100_000));
    maxAddresses = Integer.parseInt(setting("max_addresses", 20));
    notifyFirst = Boolean.parseBoolean(setting("notify_first", false));
    subject = config().getString("subject", "New sign-in to your account");
    seen = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Object, Set<String>> eldest) {
        return size() > maxUsers;
      }
    };
    return vertx.eventBus().<JsonObject>localConsumer(
        PluginsApi.hookAddress(PluginsApi.Hook.AFTER_LOGIN, LoginNotifierPlugin.NAME), this::signedIn).completion();
  }

  /** Values set through the environment or -D arrive as strings; the YAML file gives typed ones. */
  private String setting(String key, Object fallback) {
    return String.valueOf(config().getValue(key, fallback)).trim();
  }

  private void signedIn(Message<JsonObject> m) {
    JsonObject e = m.body();
    Object user = e.getValue("user_id");
    String ip = e.getString("ip");
    String email = e.getString("email");
    if (user == null || ip == null) {
      m.reply(PluginsApi.allow());
      return;
    }
    Set<String> known = seen.get(user);
    boolean first = known == null;
    if (first) {
      known = new LinkedHashSet<>();
      seen.put(user, known);
    }
    boolean fresh = known.add(ip);
    if (known.size() > maxAddresses) {
      known.remove(known.iterator().next());
    }
    if (!fresh || (first && !notifyFirst) || email == null || email.isEmpty()) {
      m.reply(PluginsApi.allow());
      return;
    }
    String text = "Hello " + e.getString("username", "") + ",\n\nyour account was signed in to from " + ip + " at "
        + e.getString("at", "") + ", an address we have not seen for you before.\n"
        + "If this was not you, change your password and sign out of all sessions.\n";
    // answered at once: a slow mail server must not count against this plugin's hook timeout
    vertx.eventBus().send(PluginsApi.SEND_MAIL, new JsonObject().put("to", email).put("subject", subject).put("text", text));
    m.reply(PluginsApi.annotate(new JsonObject().put("notified", true)));
  }
}
