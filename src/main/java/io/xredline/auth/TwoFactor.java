package io.xredline.auth;

import io.vertx.core.Future;
import io.xredline.auth.store.TotpReplayGuard;
import io.xredline.auth.store.UserStore;
import io.xredline.config.AppConfig;
import io.xredline.error.AppError;
import io.xredline.error.Reason;
import io.xredline.features.FeatureFlags;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * TOTP second factor: setup (needs the password; the secret sealed at rest under the data keys by
 * {@link UserStore}), enable with a valid code (answers 10 single-use recovery codes, stored as
 * digests), disable with the password and a TOTP or recovery code, checks at login. Every proof goes through {@link Reauthentication}, so wrong
 * passwords and codes count towards the lockout.
 */
final class TwoFactor {
  static final int RECOVERY_CODES = 10;
  /** No 0/o, 1/i/l: nothing to misread when copying it off paper. */
  private static final String RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";
  private static final Pattern RECOVERY_SHAPE = Pattern.compile("[a-z0-9]{4}-?[a-z0-9]{4}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final UserStore users;
  private final TotpReplayGuard replay;
  private final AuthEvents events;
  private final AppConfig.Auth config;
  private final Reauthentication reauth;
  private final FeatureFlags flags;

  TwoFactor(UserStore users, TotpReplayGuard replay, AuthEvents events, AppConfig.Auth config,
            Reauthentication reauth, FeatureFlags flags) {
    this.flags = flags;
    this.users = users;
    this.replay = replay;
    this.events = events;
    this.config = config;
    this.reauth = reauth;
  }

  /** The {@code totp} flag for this account when defined, else {@code auth.totp_enabled}. */
  boolean appliesTo(UserStore.User user) {
    return user.totpEnabled() && featureOn(user);
  }

  private boolean featureOn(UserStore.User user) {
    return flags.enabled("totp", new FeatureFlags.Caller(String.valueOf(user.id()), user.username(),
        java.util.Set.copyOf(user.roles())), config.totpEnabled());
  }

  Future<AuthApi.TotpSecret> setup(AuthApi.Principal principal, String password, AuthApi.Origin origin) {
    requireFeature();
    Reauthentication.require("password", password);
    return user(principal).compose(user -> {
      if (user.totpEnabled()) {
        return Future.failedFuture(new AppError(Reason.BAD_REQUEST, "TOTP is already enabled; disable it first"));
      }
      byte[] secret = Totp.newSecret();
      String base32 = Totp.base32(secret);
      return reauth.prove(user, password, null, origin)
          .compose(v -> users.stageTotpSecret(user.id(), secret))
          .compose(staged -> staged
              ? Future.succeededFuture(new AuthApi.TotpSecret(base32,
                  Totp.otpauthUrl(config.totp().issuer(), user.username(), base32)))
              : Future.failedFuture(new AppError(Reason.BAD_REQUEST, "TOTP is already enabled; disable it first")));
    });
  }

  /** Answers the recovery codes, in clear this once. */
  Future<List<String>> enable(AuthApi.Principal principal, String code, AuthApi.Origin origin) {
    requireFeature();
    requireCode(code);
    return user(principal).compose(user -> {
      if (user.totpEnabled()) {
        return Future.failedFuture(new AppError(Reason.BAD_REQUEST, "TOTP is already enabled"));
      }
      if (user.totpSecret() == null) {
        return Future.failedFuture(new AppError(Reason.BAD_REQUEST, "call totp/setup first"));
      }
      List<String> codes = recoveryCodes();
      return reauth.prove(user, null, () -> check(user, code), origin)
          .compose(v -> users.enableTotp(user.id(), codes.stream().map(c -> recoveryDigest(user.id(), c)).toList()))
          .map(v -> {
            events.publish(AuthEvents.Kind.TOTP_ENABLED, user.id(), user.username(), origin, "enabled");
            return codes;
          });
    });
  }

  Future<Void> disable(AuthApi.Principal principal, AuthApi.TotpDisable request, AuthApi.Origin origin) {
    requireFeature();
    Reauthentication.require("password", request.password());
    boolean hasTotp = request.totpCode() != null && !request.totpCode().isEmpty();
    boolean hasRecovery = request.recoveryCode() != null && !request.recoveryCode().isEmpty();
    if (!hasTotp && !hasRecovery) {
      throw new AppError(Reason.REAUTHENTICATION_REQUIRED, "totp_code or recovery_code is required to turn TOTP off");
    }
    return user(principal).compose(user -> {
      if (!user.totpEnabled()) {
        return Future.failedFuture(new AppError(Reason.BAD_REQUEST, "TOTP is not enabled"));
      }
      return reauth.prove(user, request.password(), () -> hasTotp ? check(user, request.totpCode())
              : spendRecoveryCode(user, request.recoveryCode(), origin), origin)
          .compose(v -> users.disableTotp(user.id()))
          .onSuccess(v -> events.publish(AuthEvents.Kind.TOTP_DISABLED, user.id(), user.username(), origin, "disabled"));
    });
  }

  /** True for a correct code of the current window that was not spent before (and spends it). */
  Future<Boolean> check(UserStore.User user, String code) {
    byte[] secret = user.totpSecret();
    if (secret == null) {
      return Future.failedFuture(new AppError(Reason.INTERNAL, "stored TOTP secret cannot be read"));
    }
    OptionalLong step = Totp.matchingStep(secret, code, Instant.now().getEpochSecond());
    if (step.isEmpty()) {
      return Future.succeededFuture(false);
    }
    return replay.spend(user.id(), step.getAsLong());
  }

  /** True once per recovery code of the account (any case, with or without the dash). */
  Future<Boolean> spendRecoveryCode(UserStore.User user, String code, AuthApi.Origin origin) {
    String normalized = code.trim().toLowerCase(Locale.ROOT);
    if (normalized.length() > 16 || !RECOVERY_SHAPE.matcher(normalized).matches()) {
      return Future.succeededFuture(false);
    }
    String canonical = normalized.replace("-", "");
    canonical = canonical.substring(0, 4) + "-" + canonical.substring(4);
    return users.spendRecoveryCode(user.id(), recoveryDigest(user.id(), canonical)).onSuccess(spent -> {
      if (spent) {
        events.publish(AuthEvents.Kind.RECOVERY_CODE_USED, user.id(), user.username(), origin, "spent");
      }
    });
  }

  static List<String> recoveryCodes() {
    List<String> codes = new ArrayList<>(RECOVERY_CODES);
    while (codes.size() < RECOVERY_CODES) {
      StringBuilder c = new StringBuilder(9);
      for (int i = 0; i < 8; i++) {
        if (i == 4) {
          c.append('-');
        }
        c.append(RECOVERY_ALPHABET.charAt(RANDOM.nextInt(RECOVERY_ALPHABET.length())));
      }
      if (!codes.contains(c.toString())) {
        codes.add(c.toString());
      }
    }
    return codes;
  }

  /**
   * SHA-256 over the account and the code: a code carries ~40 random bits and is spent once, so a
   * fast digest is enough for a code that is only ever compared, never derived.
   */
  static String recoveryDigest(long userId, String code) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(("recovery:" + userId + ":" + code).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
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
}
