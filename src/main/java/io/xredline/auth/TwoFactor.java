package io.xredline.auth;

import io.vertx.core.Future;
import io.xredline.auth.store.TotpReplayGuard;
import io.xredline.auth.store.UserStore;
import io.xredline.config.AppConfig;
import io.xredline.error.AppError;
import io.xredline.error.Reason;
import io.xredline.features.FeatureFlags;

import java.time.Instant;
import java.util.OptionalLong;

/** TOTP second factor: setup (secret sealed at rest), enable and disable with a valid code, check at login. */
final class TwoFactor {
  private final UserStore users;
  private final SecretBox box;
  private final TotpReplayGuard replay;
  private final AuthEvents events;
  private final AppConfig.Auth config;
  private final FeatureFlags flags;

  TwoFactor(UserStore users, SecretBox box, TotpReplayGuard replay, AuthEvents events, AppConfig.Auth config,
            FeatureFlags flags) {
    this.flags = flags;
    this.users = users;
    this.box = box;
    this.replay = replay;
    this.events = events;
    this.config = config;
  }

  /** The {@code totp} flag for this account when defined, else {@code auth.totp_enabled}. */
  boolean appliesTo(UserStore.User user) {
    return user.totpEnabled() && featureOn(user);
  }

  private boolean featureOn(UserStore.User user) {
    return flags.enabled("totp", new FeatureFlags.Caller(String.valueOf(user.id()), user.username(),
        java.util.Set.copyOf(user.roles())), config.totpEnabled());
  }

  Future<AuthApi.TotpSecret> setup(AuthApi.Principal principal) {
    requireFeature();
    return user(principal).compose(user -> {
      if (user.totpEnabled()) {
        return Future.failedFuture(new AppError(Reason.BAD_REQUEST, "TOTP is already enabled; disable it first"));
      }
      byte[] secret = Totp.newSecret();
      String base32 = Totp.base32(secret);
      return users.stageTotpSecret(user.id(), box.seal(secret, associatedData(user.id()))).compose(staged -> staged
          ? Future.succeededFuture(new AuthApi.TotpSecret(base32,
              Totp.otpauthUrl(config.totp().issuer(), user.username(), base32)))
          : Future.failedFuture(new AppError(Reason.BAD_REQUEST, "TOTP is already enabled; disable it first")));
    });
  }

  Future<Void> enable(AuthApi.Principal principal, String code, AuthApi.Origin origin) {
    requireFeature();
    requireCode(code);
    return user(principal).compose(user -> {
      if (user.totpEnabled()) {
        return Future.failedFuture(new AppError(Reason.BAD_REQUEST, "TOTP is already enabled"));
      }
      if (user.totpSecret() == null) {
        return Future.failedFuture(new AppError(Reason.BAD_REQUEST, "call totp/setup first"));
      }
      return check(user, code).compose(ok -> ok
          ? users.setTotpEnabled(user.id(), true).onSuccess(v ->
              events.publish(AuthEvents.Kind.TOTP_ENABLED, user.id(), user.username(), origin, "enabled"))
          : Future.failedFuture(new AppError(Reason.TOTP_INVALID, "wrong or already used TOTP code")));
    });
  }

  Future<Void> disable(AuthApi.Principal principal, String code, AuthApi.Origin origin) {
    requireFeature();
    requireCode(code);
    return user(principal).compose(user -> {
      if (!user.totpEnabled()) {
        return Future.failedFuture(new AppError(Reason.BAD_REQUEST, "TOTP is not enabled"));
      }
      return check(user, code).compose(ok -> ok
          ? users.setTotpEnabled(user.id(), false).onSuccess(v ->
              events.publish(AuthEvents.Kind.TOTP_DISABLED, user.id(), user.username(), origin, "disabled"))
          : Future.failedFuture(new AppError(Reason.TOTP_INVALID, "wrong or already used TOTP code")));
    });
  }

  /** True for a correct code of the current window that was not spent before (and spends it). */
  Future<Boolean> check(UserStore.User user, String code) {
    byte[] secret;
    try {
      secret = box.open(user.totpSecret(), associatedData(user.id()));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new AppError(Reason.INTERNAL, "stored TOTP secret cannot be read"));
    }
    OptionalLong step = Totp.matchingStep(secret, code, Instant.now().getEpochSecond());
    if (step.isEmpty()) {
      return Future.succeededFuture(false);
    }
    return replay.spend(user.id(), step.getAsLong());
  }

  /** Without a {@code totp} flag the server-wide key decides at once; a flag is evaluated for the account ({@link #user}). */
  private void requireFeature() {
    if (!flags.defined("totp") && !config.totpEnabled()) {
      throw new AppError(Reason.BAD_REQUEST, "TOTP is turned off on this server");
    }
  }

  private static void requireCode(String code) {
    if (code == null || code.isEmpty()) {
      throw AppError.validation("totp_code", "totp_code is required");
    }
  }

  private Future<UserStore.User> user(AuthApi.Principal principal) {
    return users.findById(principal.userId()).compose(u -> u
        .map(user -> featureOn(user) ? Future.succeededFuture(user)
            : Future.<UserStore.User>failedFuture(new AppError(Reason.BAD_REQUEST, "TOTP is turned off for this account")))
        .orElseGet(() -> Future.failedFuture(new AppError(Reason.TOKEN_INVALID, "account no longer exists"))));
  }

  private static String associatedData(long userId) {
    return "totp:" + userId;
  }
}
