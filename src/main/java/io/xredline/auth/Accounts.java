package io.xredline.auth;

import io.vertx.core.Future;
import io.xredline.auth.store.LoginAttempts;
import io.xredline.auth.store.RedisKeys;
import io.xredline.auth.store.UserStore;
import io.xredline.error.AppError;
import io.xredline.error.Reason;
import io.xredline.observability.Masking;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** {@code me} (PII masked) and lock-status (the account itself, or an admin). */
final class Accounts {
  private final UserStore users;
  private final LoginAttempts attempts;
  private final int maxAttempts;
  private final int accountMax;

  Accounts(UserStore users, LoginAttempts attempts, int maxAttempts, int accountMax) {
    this.users = users;
    this.attempts = attempts;
    this.maxAttempts = maxAttempts;
    this.accountMax = accountMax;
  }

  Future<AuthApi.Me> me(AuthApi.Principal principal) {
    return users.findById(principal.userId()).compose(found -> found
        .map(u -> Future.succeededFuture(new AuthApi.Me(u.id(), u.username(), Masking.email(u.email()),
            Masking.phone(u.phone()), u.totpEnabled(), u.createdAt().toInstant().truncatedTo(ChronoUnit.SECONDS).toString())))
        .orElseGet(() -> Future.failedFuture(new AppError(Reason.NOT_FOUND, "account no longer exists"))));
  }

  /** Reads only; asking never resets or extends a lock. */
  Future<AuthApi.LockStatus> lockStatus(AuthApi.Principal principal, String username) {
    if (username == null || username.isEmpty()) {
      throw AppError.validation("username", "username is required");
    }
    if (username.equalsIgnoreCase(principal.username())) {
      return status(principal.userId());
    }
    return users.findById(principal.userId()).compose(requester -> {
      if (requester.isEmpty() || !requester.get().isAdmin()) {
        return Future.failedFuture(new AppError(Reason.FORBIDDEN, "only the account itself or an admin may see its lock status"));
      }
      if (!CredentialRules.USERNAME.matcher(username).matches()) {
        return Future.failedFuture(new AppError(Reason.NOT_FOUND, "no such user"));
      }
      return users.find(UserStore.LoginField.USERNAME, username).compose(target -> target
          .map(u -> status(u.id()))
          .orElseGet(() -> Future.failedFuture(new AppError(Reason.NOT_FOUND, "no such user"))));
    });
  }

  /**
   * The account's lockout as its owner or an admin needs it: {@code locked} while the account-wide
   * lock holds or any (name, address) pair is locked; {@code unlock_time} when the last pair lock
   * ends (null for the account-wide lock, which ends only by an admin unlock or a password reset);
   * {@code failed_attempts} in the current account window, from all names and addresses.
   */
  private Future<AuthApi.LockStatus> status(long userId) {
    return attempts.state(RedisKeys.account(userId)).map(s -> {
      boolean locked = s.accountLocked() || s.lockedPairs() > 0;
      String unlock = !s.accountLocked() && s.lockedPairs() > 0 ? unlockTime(s.lastPairUnlockMs()) : null;
      return new AuthApi.LockStatus(locked, unlock, s.failures(), maxAttempts, s.accountLocked(), accountMax,
          s.lockedPairs());
    });
  }

  static String unlockTime(long lockedForMs) {
    // rounded up: a client retrying at unlock_time must find the lock gone
    return Instant.now().plusMillis(lockedForMs + 999).truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
