package io.xredline.auth;

import io.vertx.core.Future;
import io.xredline.auth.store.UserStore;
import io.vertx.core.json.JsonObject;
import io.xredline.error.AppError;
import io.xredline.error.Reason;
import io.xredline.features.FeatureFlags;
import io.xredline.plugins.PluginsApi;
import io.xredline.observability.Masking;

import java.util.List;

/**
 * Register in CONTRACT §3's order: field checks, then {@code register_ip}, then the captcha (an
 * sms/email code only for this email or phone), then uniqueness (the database has the last word).
 */
final class Registration {
  private final UserStore users;
  private final PasswordHashing hashing;
  private final Captchas captchas;
  private final AuthEvents events;
  private final AuthLimits limits;
  private final FeatureFlags flags;
  private final PluginsApi.Hooks hooks;

  Registration(UserStore users, PasswordHashing hashing, Captchas captchas, AuthEvents events, AuthLimits limits,
               FeatureFlags flags, PluginsApi.Hooks hooks) {
    this.flags = flags;
    this.hooks = hooks;
    this.users = users;
    this.hashing = hashing;
    this.captchas = captchas;
    this.events = events;
    this.limits = limits;
  }

  Future<AuthApi.Registered> register(AuthApi.Register r, AuthApi.Origin origin) {
    Future<AuthApi.Registered> result;
    try {
      if (!flags.enabled("registration", FeatureFlags.Caller.ANONYMOUS, true)) {
        throw new AppError(Reason.REGISTRATION_CLOSED, "registration is closed on this server");
      }
      String username = CredentialRules.username(r.username());
      String password = CredentialRules.password(r.password(), username);
      String email = CredentialRules.email(r.email());
      String phone = CredentialRules.phone(r.phone());
      captchas.requireFields(r.captchaId(), r.captchaCode());
      // an emailed or texted code proves only the address it was sent to
      List<String> proven = phone == null ? List.of(CredentialRules.targetKey(email))
          : List.of(CredentialRules.targetKey(email), CredentialRules.targetKey(phone));
      result = limits.register(origin)
          .compose(v -> captchas.consume(r.captchaId(), r.captchaCode(), proven))
          // after the captcha (probing a plugin costs one), before uniqueness (a veto tells nothing about accounts)
          .compose(v -> hooks.ask(PluginsApi.Hook.BEFORE_REGISTER, new JsonObject().put("username", username)
              .put("email", email).put("ip", origin.clientIp()).put("request_id", origin.requestId()), origin.requestId()))
          .compose(verdict -> verdict.vetoed() ? Future.failedFuture(PluginRejection.of(verdict)) : Future.succeededFuture())
          .compose(v -> users.taken(username, email, phone))
          .compose(taken -> taken.isPresent()
              ? Future.failedFuture(new AppError(taken.get(), switch (taken.get()) {
                case USER_EXISTS -> "username is taken";
                case EMAIL_EXISTS -> "email is already registered";
                default -> "phone is already registered";
              }))
              : hashing.hash(password))
          .compose(hash -> users.insert(username, hash, email, phone, List.of("user")))
          .map(id -> new AuthApi.Registered("registered", id));
    } catch (AppError e) {
      result = Future.failedFuture(e);
    }
    return result
        .onSuccess(ok -> events.publish(AuthEvents.Kind.REGISTER, ok.userId(), r.username(), origin, "success"))
        .onFailure(e -> {
          String outcome = e instanceof AppError a ? a.reason().name() : "INTERNAL";
          events.publish(AuthEvents.Kind.REGISTER, null, Masking.identifier(r.username()), origin, outcome);
        });
  }

  /** For operators: the same username and password rules, no captcha, no email; optionally an admin. */
  Future<AuthApi.Registered> createUser(String username, String password, boolean admin, AuthApi.Origin origin) {
    String name = CredentialRules.username(username);
    String secret = CredentialRules.password(password, name);
    List<String> roles = admin ? List.of("admin", "user") : List.of("user");
    return users.taken(name, null, null)
        .compose(taken -> taken.isPresent()
            ? Future.failedFuture(new AppError(taken.get(), "username is taken"))
            : hashing.hash(secret))
        .compose(hash -> users.insert(name, hash, null, null, roles))
        .map(id -> new AuthApi.Registered(admin ? "admin created" : "user created", id))
        .onSuccess(ok -> events.publish(AuthEvents.Kind.REGISTER, ok.userId(), name, origin, admin ? "admin_created" : "created"));
  }
}
