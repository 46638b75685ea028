package io.xredline.auth;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.xredline.auth.store.LoginAttempts;
import io.xredline.auth.store.RedisKeys;
import io.xredline.auth.store.UserStore;
import io.xredline.error.AppError;
import io.xredline.error.Reason;
import io.xredline.net.Addresses;

import java.util.Locale;
import java.util.function.Supplier;

/**
 * Fresh proof for a sensitive change (password change, TOTP setup/enable/disable) by someone who is
 * signed in already: the current password and/or a second-factor code, checked under the same
 * lockout as a sign-in by the account's username from the same address — reserved before the hash
 * runs, a wrong password or code is a failed attempt, the limit locks. A stolen access token
 * therefore buys no more password guesses than the login form does.
 */
record Reauthentication(PasswordHashing hashing, LoginAttempts attempts, AuthEvents events) {

  /** REAUTHENTICATION_REQUIRED (401) when a sensitive change arrives without the proof it needs. */
  static void require(String field, String value) {
    if (value == null || value.isEmpty()) {
      throw new AppError(Reason.REAUTHENTICATION_REQUIRED, field + " is required for this change: confirm it");
    }
    if (value.length() > CredentialRules.LOGIN_FIELD_MAX) {
      throw AppError.validation(field, field + " is too long");
    }
  }

  /**
   * {@code password} null: not asked; {@code code} null: no second factor asked, else it answers
   * whether the code is right (and spends it). A wrong password is PASSWORD_INCORRECT, a wrong code
   * TOTP_INVALID, the failure that reaches the limit (or any try while locked) ACCOUNT_LOCKED.
   */
  Future<Void> prove(UserStore.User user, String password, Supplier<Future<Boolean>> code, AuthApi.Origin origin) {
    String client = origin.clientIp() == null ? "" : Addresses.clientKey(origin.clientIp());
    LoginAttempts.Attempt attempt = new LoginAttempts.Attempt(RedisKeys.account(user.id()),
        RedisKeys.digest(user.username().toLowerCase(Locale.ROOT) + "\n" + client), true);
    return attempts.reserve(attempt).compose(reservation -> switch (reservation.verdict()) {
      case LOCKED -> Future.failedFuture(locked(reservation.lockedForMs()));
      case BUSY -> Future.failedFuture(locked(attempts.lockDuration().toMillis()));
      case RESERVED -> {
        boolean[] settled = {false};
        yield check(user, password, code, reservation.accountLocked())
            .compose(failure -> {
              settled[0] = true;
              return failure == null
                  ? attempts.succeed(attempt, reservation)
                  : attempts.fail(attempt, reservation).compose(state -> failed(user, origin, failure, state));
            })
            .recover(e -> settled[0] ? Future.failedFuture(e)
                : attempts.release(attempt, reservation).transform(ignored -> Future.failedFuture(e)));
      }
    });
  }

  /** Null when everything asked for is right, else the reason it is not. */
  private Future<Reason> check(UserStore.User user, String password, Supplier<Future<Boolean>> code,
                               boolean accountLocked) {
    Future<Boolean> passwordOk = password == null ? Future.succeededFuture(true)
        : hashing.verify(CredentialRules.normalizePassword(password), user.passwordHash()).map(PasswordHashing.Check::matches);
    return passwordOk.compose(ok -> {
      // past the account-wide cap nothing is evaluated, yet it costs and answers like a wrong proof
      if (!ok || accountLocked && password != null) {
        return Future.succeededFuture(Reason.PASSWORD_INCORRECT);
      }
      if (accountLocked) {
        return Future.succeededFuture(Reason.TOTP_INVALID);
      }
      if (code == null) {
        return Future.succeededFuture((Reason) null);
      }
      return code.get().map(right -> right ? null : Reason.TOTP_INVALID);
    });
  }

  private Future<Void> failed(UserStore.User user, AuthApi.Origin origin, Reason reason, LoginAttempts.Failure state) {
    if (state.lockedNow() || state.accountLockedNow()) {
      events.lockout();
      events.publish(AuthEvents.Kind.LOCKOUT, user.id(), user.username(), origin,
          state.accountLockedNow() ? "account_locked" : "locked");
    }
    events.publish(AuthEvents.Kind.REAUTHENTICATION_FAILURE, user.id(), user.username(), origin, reason.name());
    if (state.locked()) {
      return Future.failedFuture(locked(state.lockedForMs()));
    }
    return Future.failedFuture(reason == Reason.PASSWORD_INCORRECT
        ? new AppError(reason, "current password is incorrect")
        : new AppError(reason, "wrong or already used code"));
  }

  private static AppError locked(long lockedForMs) {
    String unlock = Accounts.unlockTime(lockedForMs);
    return new AppError(Reason.ACCOUNT_LOCKED, "too many failed attempts with this account from this address; try again after "
        + unlock, new JsonObject().put("unlock_time", unlock));
  }
}
