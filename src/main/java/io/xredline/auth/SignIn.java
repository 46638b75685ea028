package io.xredline.auth;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.xredline.auth.store.LoginAttempts;
import io.xredline.auth.store.RedisKeys;
import io.xredline.auth.store.UserStore;
import io.xredline.error.AppError;
import io.xredline.error.Reason;
import io.xredline.observability.Masking;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;
import java.util.Optional;

/**
 * Login, in this order: field checks; find the account (by username, email or phone); refuse a
 * locked account before the captcha is spent; spend the captcha (a wrong one is not a failed
 * attempt); check the password (a dummy hash for unknown names, so both cost the same); TOTP;
 * then reset the count, rehash if the parameters were raised, and start a session.
 */
final class SignIn {
  private static final Logger LOG = LoggerFactory.getLogger(SignIn.class);

  private final UserStore users;
  private final PasswordHashing hashing;
  private final String dummyHash;
  private final Captchas captchas;
  private final LoginAttempts attempts;
  private final Sessions sessions;
  private final TwoFactor twoFactor;
  private final AuthEvents events;

  SignIn(UserStore users, PasswordHashing hashing, String dummyHash, Captchas captchas, LoginAttempts attempts,
         Sessions sessions, TwoFactor twoFactor, AuthEvents events) {
    this.users = users;
    this.hashing = hashing;
    this.dummyHash = dummyHash;
    this.captchas = captchas;
    this.attempts = attempts;
    this.sessions = sessions;
    this.twoFactor = twoFactor;
    this.events = events;
  }

  /** One attempt: what was typed, the account it names (if any), and its lockout identity. */
  private record Attempt(AuthApi.Login request, AuthApi.Origin origin, Optional<UserStore.User> user, String account) {
    Long userId() {
      return user.map(UserStore.User::id).orElse(null);
    }

    String shownName() {
      return user.map(UserStore.User::username).orElseGet(() -> Masking.identifier(request.username()));
    }
  }

  Future<AuthApi.TokenPair> login(AuthApi.Login r, AuthApi.Origin origin) {
    requireField("username", r.username());
    requireField("password", r.password());
    captchas.requireFields(r.captchaId(), r.captchaCode());
    CredentialRules.LoginName kind = CredentialRules.kindOf(r.username());
    String name = kind == CredentialRules.LoginName.PHONE ? CredentialRules.normalizePhone(r.username()) : r.username();
    UserStore.LoginField field = UserStore.LoginField.valueOf(kind.name());
    return users.find(field, name)
        .map(user -> new Attempt(r, origin, user, user.map(u -> RedisKeys.account(u.id()))
            .orElseGet(() -> RedisKeys.unknownAccount(name.toLowerCase(Locale.ROOT)))))
        .compose(this::attempt)
        .onFailure(e -> {
          if (e instanceof AppError error) {
            events.login(error.reason().name().toLowerCase(Locale.ROOT));
          }
        });
  }

  private Future<AuthApi.TokenPair> attempt(Attempt a) {
    return attempts.state(a.account())
        .compose(state -> state.locked() ? Future.failedFuture(locked(a, state.lockedForMs())) : Future.succeededFuture())
        .compose(v -> captchas.consume(a.request().captchaId(), a.request().captchaCode()))
        .compose(v -> hashing.verify(CredentialRules.normalizePassword(a.request().password()),
            a.user().map(UserStore.User::passwordHash).orElse(dummyHash)))
        .compose(check -> {
          if (a.user().isEmpty() || !check.matches()) {
            return failure(a, Reason.INVALID_CREDENTIALS, "invalid username or password");
          }
          UserStore.User user = a.user().get();
          if (!twoFactor.appliesTo(user)) {
            return succeed(a, user, check);
          }
          String code = a.request().totpCode();
          if (code == null || code.isEmpty()) {
            events.publish(AuthEvents.Kind.LOGIN_FAILURE, user.id(), user.username(), a.origin(), Reason.TOTP_REQUIRED.name());
            return Future.failedFuture(new AppError(Reason.TOTP_REQUIRED, "totp_code is required for this account"));
          }
          return twoFactor.check(user, code).compose(ok -> ok
              ? succeed(a, user, check)
              : failure(a, Reason.TOTP_INVALID, "wrong or already used TOTP code"));
        });
  }

  /** Counts the failure; the failure that reaches the limit locks the account and says so. */
  private Future<AuthApi.TokenPair> failure(Attempt a, Reason reason, String message) {
    return attempts.recordFailure(a.account()).compose(state -> {
      if (state.lockedNow()) {
        events.lockout();
        events.publish(AuthEvents.Kind.LOCKOUT, a.userId(), a.shownName(), a.origin(), "locked");
      }
      if (state.locked()) {
        return Future.failedFuture(locked(a, state.lockedForMs()));
      }
      events.publish(AuthEvents.Kind.LOGIN_FAILURE, a.userId(), a.shownName(), a.origin(), reason.name());
      return Future.failedFuture(new AppError(reason, message));
    });
  }

  private AppError locked(Attempt a, long lockedForMs) {
    events.publish(AuthEvents.Kind.LOGIN_FAILURE, a.userId(), a.shownName(), a.origin(), Reason.ACCOUNT_LOCKED.name());
    String unlock = Accounts.unlockTime(lockedForMs);
    return new AppError(Reason.ACCOUNT_LOCKED, "account locked after too many failed sign-ins; try again after " + unlock,
        new JsonObject().put("unlock_time", unlock));
  }

  private Future<AuthApi.TokenPair> succeed(Attempt a, UserStore.User user, PasswordHashing.Check check) {
    Future<Void> rehash = check.needsRehash()
        ? hashing.hash(CredentialRules.normalizePassword(a.request().password()))
            .compose(hash -> users.updatePasswordHash(user.id(), hash))
            .recover(e -> {
              LOG.warn("password rehash for user {} failed: {}", user.id(), e.getMessage());
              return Future.succeededFuture();
            })
        : Future.succeededFuture();
    return attempts.reset(a.account())
        .compose(v -> rehash)
        .compose(v -> sessions.start(user.id(), user.username()))
        .onSuccess(pair -> {
          events.login("success");
          events.publish(AuthEvents.Kind.LOGIN_SUCCESS, user.id(), user.username(), a.origin(), "success");
        });
  }

  private static void requireField(String field, String value) {
    if (value == null || value.isEmpty()) {
      throw AppError.validation(field, field + " is required");
    }
    if (value.length() > CredentialRules.LOGIN_FIELD_MAX) {
      throw AppError.validation(field, field + " is too long");
    }
  }
}
