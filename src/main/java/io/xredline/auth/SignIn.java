package io.xredline.auth;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.xredline.auth.store.LoginAttempts;
import io.xredline.auth.store.RedisKeys;
import io.xredline.auth.store.UserStore;
import io.xredline.error.AppError;
import io.xredline.error.Reason;
import io.xredline.net.Addresses;
import io.xredline.observability.Masking;
import io.xredline.plugins.PluginsApi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Login, in this order: field checks; {@code login_ip} and {@code login_account}; find the account
 * (by username, email or phone); reserve the attempt — refusing a locked (name, client) pair, or
 * one whose budget attempts in flight already hold, before the captcha is spent; spend the
 * captcha (a wrong one is not a failed attempt; an emailed/texted code only for the name typed);
 * check the password (a dummy hash for unknown names and for an account past its account-wide
 * cap, so all cost the same and none can succeed); TOTP; then settle the reservation, rehash if
 * the parameters were raised, and start a session. See docs/auth.md for why locks are per name as
 * typed and per client.
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
  private final AuthLimits limits;
  private final PluginsApi.Hooks hooks;

  SignIn(UserStore users, PasswordHashing hashing, String dummyHash, Captchas captchas, LoginAttempts attempts,
         Sessions sessions, TwoFactor twoFactor, AuthEvents events, AuthLimits limits, PluginsApi.Hooks hooks) {
    this.hooks = hooks;
    this.users = users;
    this.hashing = hashing;
    this.dummyHash = dummyHash;
    this.captchas = captchas;
    this.attempts = attempts;
    this.sessions = sessions;
    this.twoFactor = twoFactor;
    this.events = events;
    this.limits = limits;
  }

  /**
   * One attempt: what was typed ({@code typed} normalised: lower case, phones in E.164), the
   * account it names (if any), the lockout state it counts against, and its reservation once made.
   */
  private static final class Attempt {
    final AuthApi.Login request;
    final AuthApi.Origin origin;
    final CredentialRules.LoginName kind;
    final String typed;
    final Optional<UserStore.User> user;
    final LoginAttempts.Attempt lock;
    LoginAttempts.Reservation reservation;
    boolean settled;
    /** What before-login plugins noted, passed on to after-login. */
    final JsonObject notes;

    Attempt(AuthApi.Login request, AuthApi.Origin origin, CredentialRules.LoginName kind, String typed,
            Optional<UserStore.User> user, JsonObject notes) {
      this.notes = notes;
      this.request = request;
      this.origin = origin;
      this.kind = kind;
      this.typed = typed;
      this.user = user;
      String identity = user.map(u -> RedisKeys.account(u.id())).orElseGet(() -> RedisKeys.unknownAccount(typed));
      String client = origin.clientIp() == null ? "" : Addresses.clientKey(origin.clientIp());
      this.lock = new LoginAttempts.Attempt(identity, RedisKeys.digest(typed + "\n" + client), user.isPresent());
    }

    Long userId() {
      return user.map(UserStore.User::id).orElse(null);
    }

    String shownName() {
      return user.map(UserStore.User::username).orElseGet(() -> Masking.identifier(request.username()));
    }

    /** The addresses an emailed or texted captcha may have been sent to: the name typed, when it is one. */
    List<String> provenTargets() {
      return kind == CredentialRules.LoginName.USERNAME ? List.of() : List.of(CredentialRules.targetKey(typed));
    }
  }

  Future<AuthApi.TokenPair> login(AuthApi.Login r, AuthApi.Origin origin) {
    requireField("username", r.username());
    requireField("password", r.password());
    if (r.recoveryCode() != null && r.recoveryCode().length() > CredentialRules.LOGIN_FIELD_MAX) {
      throw AppError.validation("recovery_code", "recovery_code is too long");
    }
    if (r.username().chars().anyMatch(Character::isISOControl)) {
      throw AppError.validation("username", "username must not contain control characters");
    }
    captchas.requireFields(r.captchaId(), r.captchaCode());
    CredentialRules.LoginName kind = CredentialRules.kindOf(r.username());
    String name = kind == CredentialRules.LoginName.PHONE ? CredentialRules.normalizePhone(r.username()) : r.username();
    String typed = name.toLowerCase(Locale.ROOT);
    UserStore.LoginField field = UserStore.LoginField.valueOf(kind.name());
    return limits.login(origin, typed)
        .compose(v -> hooks.ask(PluginsApi.Hook.BEFORE_LOGIN, new JsonObject().put("login", typed)
            .put("ip", origin.clientIp()).put("request_id", origin.requestId()), origin.requestId()))
        .compose(verdict -> verdict.vetoed() ? Future.failedFuture(PluginRejection.of(verdict))
            : users.find(field, name).map(user -> new Attempt(r, origin, kind, typed, user, verdict.annotations())))
        .compose(this::attempt)
        .onFailure(e -> {
          if (e instanceof AppError error) {
            events.login(error.reason().name().toLowerCase(Locale.ROOT));
          }
        });
  }

  private Future<AuthApi.TokenPair> attempt(Attempt a) {
    return attempts.reserve(a.lock).compose(reservation -> {
      a.reservation = reservation;
      return switch (reservation.verdict()) {
        case LOCKED -> Future.failedFuture(locked(a, reservation.lockedForMs()));
        // failures plus attempts in flight already reach the limit: this one is not evaluated
        case BUSY -> Future.failedFuture(locked(a, attempts.lockDuration().toMillis()));
        case RESERVED -> evaluate(a).recover(e -> a.settled ? Future.failedFuture(e)
            : attempts.release(a.lock, reservation).transform(ignored -> Future.failedFuture(e)));
      };
    });
  }

  private Future<AuthApi.TokenPair> evaluate(Attempt a) {
    // past the account-wide cap nothing is evaluated, yet it costs and answers like a wrong password
    boolean evaluable = a.user.isPresent() && !a.reservation.accountLocked();
    String hash = evaluable ? a.user.get().passwordHash() : dummyHash;
    return captchas.consume(a.request.captchaId(), a.request.captchaCode(), a.provenTargets())
        .compose(v -> hashing.verify(CredentialRules.normalizePassword(a.request.password()), hash))
        .compose(check -> {
          if (!evaluable || !check.matches()) {
            return failure(a, Reason.INVALID_CREDENTIALS, "invalid username or password");
          }
          UserStore.User user = a.user.get();
          if (user.disabled()) {
            // only the right password learns that the account is switched off
            events.publish(AuthEvents.Kind.LOGIN_FAILURE, user.id(), user.username(), a.origin, Reason.ACCOUNT_DISABLED.name());
            a.settled = true;
            return attempts.release(a.lock, a.reservation).compose(v -> Future.failedFuture(
                new AppError(Reason.ACCOUNT_DISABLED, "this account is disabled; contact an administrator")));
          }
          if (!twoFactor.appliesTo(user)) {
            return succeed(a, user, check);
          }
          String code = a.request.totpCode();
          String recovery = a.request.recoveryCode();
          boolean hasCode = code != null && !code.isEmpty();
          if (!hasCode && (recovery == null || recovery.isEmpty())) {
            events.publish(AuthEvents.Kind.LOGIN_FAILURE, user.id(), user.username(), a.origin, Reason.TOTP_REQUIRED.name());
            a.settled = true;
            return attempts.release(a.lock, a.reservation).compose(v -> Future.failedFuture(
                new AppError(Reason.TOTP_REQUIRED, "totp_code (or a recovery_code) is required for this account")));
          }
          Future<Boolean> second = hasCode ? twoFactor.check(user, code)
              : twoFactor.spendRecoveryCode(user, recovery, a.origin);
          return second.compose(ok -> ok
              ? succeed(a, user, check)
              : failure(a, Reason.TOTP_INVALID, hasCode ? "wrong or already used TOTP code"
                  : "wrong or already used recovery code"));
        });
  }

  /** Settles the reservation as a failure; the failure that reaches the limit locks the pair and says so. */
  private Future<AuthApi.TokenPair> failure(Attempt a, Reason reason, String message) {
    a.settled = true;
    return attempts.fail(a.lock, a.reservation).compose(state -> {
      if (state.accountLockedNow()) {
        // internal only: the answer below stays what this failure would answer anyway
        events.lockout();
        events.publish(AuthEvents.Kind.LOCKOUT, a.userId(), a.shownName(), a.origin, "account_locked");
      }
      if (state.lockedNow()) {
        events.lockout();
        events.publish(AuthEvents.Kind.LOCKOUT, a.userId(), a.shownName(), a.origin, "locked");
      }
      if (state.locked()) {
        return Future.failedFuture(locked(a, state.lockedForMs()));
      }
      events.publish(AuthEvents.Kind.LOGIN_FAILURE, a.userId(), a.shownName(), a.origin, reason.name());
      return Future.failedFuture(new AppError(reason, message));
    });
  }

  private AppError locked(Attempt a, long lockedForMs) {
    events.publish(AuthEvents.Kind.LOGIN_FAILURE, a.userId(), a.shownName(), a.origin, Reason.ACCOUNT_LOCKED.name());
    String unlock = Accounts.unlockTime(lockedForMs);
    return new AppError(Reason.ACCOUNT_LOCKED, "too many failed sign-ins with this name from this address; try again after "
        + unlock, new JsonObject().put("unlock_time", unlock));
  }

  private Future<AuthApi.TokenPair> succeed(Attempt a, UserStore.User user, PasswordHashing.Check check) {
    a.settled = true;
    Future<Void> rehash = check.needsRehash()
        ? hashing.hash(CredentialRules.normalizePassword(a.request.password()))
            .compose(hash -> users.updatePasswordHash(user.id(), hash))
            .recover(e -> {
              LOG.warn("password rehash for user {} failed: {}", user.id(), e.getMessage());
              return Future.succeededFuture();
            })
        : Future.succeededFuture();
    return attempts.succeed(a.lock, a.reservation)
        .compose(v -> rehash)
        .compose(v -> sessions.start(user.id(), user.username(), a.origin))
        .onSuccess(pair -> {
          events.login("success");
          events.publish(AuthEvents.Kind.LOGIN_SUCCESS, user.id(), user.username(), a.origin, "success");
          // told, not asked: the answer is already on its way whatever plugins do with this
          hooks.tell(PluginsApi.Hook.AFTER_LOGIN, new JsonObject().put("user_id", user.id())
              .put("username", user.username()).put("email", user.email()).put("ip", a.origin.clientIp())
              .put("request_id", a.origin.requestId()).put("at", java.time.Instant.now().toString())
              .put("annotations", a.notes), a.origin.requestId());
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
