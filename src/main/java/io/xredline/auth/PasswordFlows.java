package io.xredline.auth;

import io.vertx.core.Future;
import io.xredline.auth.store.LoginAttempts;
import io.xredline.auth.store.RedisKeys;
import io.xredline.auth.store.UserStore;
import io.xredline.config.AppConfig;
import io.xredline.error.AppError;
import io.xredline.error.Reason;

import java.util.List;
import java.util.Optional;

/**
 * Changing a password (signed in, with the current one) and resetting a forgotten one (a
 * single-use code sent to the account's email or phone). A change ends every other sign-in; a
 * reset ends all of them and lifts the lockout, account-wide lock included.
 */
final class PasswordFlows {
  static final String FORGOT_MESSAGE = "if an account has this address, a reset code is on its way";

  private final UserStore users;
  private final PasswordHashing hashing;
  private final Captchas captchas;
  private final LoginAttempts attempts;
  private final Sessions sessions;
  private final Reauthentication reauth;
  private final AuthEvents events;
  private final AuthLimits limits;
  private final AppConfig.PasswordReset config;

  PasswordFlows(UserStore users, PasswordHashing hashing, Captchas captchas, LoginAttempts attempts, Sessions sessions,
                Reauthentication reauth, AuthEvents events, AuthLimits limits, AppConfig.PasswordReset config) {
    this.users = users;
    this.hashing = hashing;
    this.captchas = captchas;
    this.attempts = attempts;
    this.sessions = sessions;
    this.reauth = reauth;
    this.events = events;
    this.limits = limits;
    this.config = config;
  }

  /** The current password first (a wrong one is a failed sign-in attempt), then the registration rules for the new one. */
  Future<Void> change(AuthApi.Principal principal, AuthApi.ChangePassword request, AuthApi.Origin origin) {
    Reauthentication.require("current_password", request.currentPassword());
    CredentialRules.password(request.newPassword(), null);
    return users.findById(principal.userId()).compose(found -> {
      UserStore.User user = found.orElseThrow(() -> new AppError(Reason.TOKEN_INVALID, "account no longer exists"));
      String next = CredentialRules.password(request.newPassword(), user.username());
      return reauth.prove(user, request.currentPassword(), null, origin)
          .compose(v -> hashing.hash(next))
          .compose(hash -> users.updatePasswordHash(user.id(), hash))
          .compose(v -> sessions.revokeOthers(user.id(), principal.familyId()))
          .onSuccess(n -> events.publish(AuthEvents.Kind.PASSWORD_CHANGED, user.id(), user.username(), origin,
              "other_sessions_revoked=" + n))
          .mapEmpty();
    });
  }

  /**
   * Answers alike whether or not an account has the target, and does the same work either way:
   * the limit, the captcha, one lookup and one code stored in Redis; only the delivery (which
   * nothing waits for) happens for a real account alone.
   */
  Future<String> forgot(AuthApi.ForgotPassword request, AuthApi.Origin origin) {
    Target target = Target.of(request.target());
    captchas.requireFields(request.captchaId(), request.captchaCode());
    return limits.passwordReset(target.key)
        .compose(v -> captchas.consume(request.captchaId(), request.captchaCode(), List.of(target.key)))
        .compose(v -> users.find(target.field, target.address))
        .compose(user -> captchas.resetCode(target.key, config.expiration()).map(code -> {
          user.ifPresent(u -> {
            // to the address as the account has it, not as it was typed
            String address = target.field == UserStore.LoginField.EMAIL ? u.email() : u.phone();
            captchas.deliver(target.channel, address, code, config.expiration().toSeconds());
            events.publish(AuthEvents.Kind.PASSWORD_RESET_REQUESTED, u.id(), u.username(), origin, target.channel);
          });
          return FORGOT_MESSAGE;
        }));
  }

  /**
   * The code first (CODE_INVALID for a wrong one or a target without an account, CODE_EXPIRED when
   * none is live), then the new password; all sessions end and the lockout is lifted.
   */
  Future<Void> reset(AuthApi.ResetPassword request, AuthApi.Origin origin) {
    Target target = Target.of(request.target());
    if (request.code() == null || request.code().isEmpty()) {
      throw AppError.validation("code", "code is required");
    }
    CredentialRules.password(request.newPassword(), null);
    return limits.passwordResetAttempt(target.key)
        .compose(v -> captchas.consumeReset(target.key, request.code()))
        .compose(v -> users.find(target.field, target.address))
        .compose((Optional<UserStore.User> found) -> {
          UserStore.User user = found.orElseThrow(() -> new AppError(Reason.CODE_INVALID, "wrong code"));
          String next = CredentialRules.password(request.newPassword(), user.username());
          return hashing.hash(next)
              .compose(hash -> users.updatePasswordHash(user.id(), hash))
              .compose(v -> sessions.revokeOthers(user.id(), null))
              .compose(v -> attempts.unlockAccount(RedisKeys.account(user.id())))
              .onSuccess(v -> events.publish(AuthEvents.Kind.PASSWORD_RESET, user.id(), user.username(), origin,
                  "all_sessions_revoked"))
              .mapEmpty();
        });
  }

  /** An email or phone as given, normalised: how to look it up, how codes and limits name it, where to send. */
  private record Target(String address, UserStore.LoginField field, String channel, String key) {
    static Target of(String raw) {
      if (raw == null || raw.isEmpty()) {
        throw AppError.validation("target", "target (the account's email or phone) is required");
      }
      if (raw.length() > 254) {
        throw AppError.validation("target", "target is too long");
      }
      if (CredentialRules.kindOf(raw) == CredentialRules.LoginName.EMAIL) {
        String email = CredentialRules.email(raw);
        return new Target(email, UserStore.LoginField.EMAIL, "email", CredentialRules.targetKey(email));
      }
      String phone = CredentialRules.normalizePhone(raw);
      if (phone == null) {
        throw new AppError(Reason.INVALID_PHONE, "target must be an email address or a phone number (E.164 or 11-digit CN mobile)");
      }
      return new Target(phone, UserStore.LoginField.PHONE, "sms", CredentialRules.targetKey(phone));
    }
  }
}
