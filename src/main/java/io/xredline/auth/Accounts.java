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

/** {@code me} (PII masked), lock-status (the account itself, or an admin), and proving one's own email or phone. */
final class Accounts {
  private final UserStore users;
  private final LoginAttempts attempts;
  private final int maxAttempts;
  private final int accountMax;
  private final Captchas captchas;
  private final AuthEvents events;

  Accounts(UserStore users, LoginAttempts attempts, int maxAttempts, int accountMax, Captchas captchas, AuthEvents events) {
    this.users = users;
    this.attempts = attempts;
    this.maxAttempts = maxAttempts;
    this.accountMax = accountMax;
    this.captchas = captchas;
    this.events = events;
  }

  /**
   * Marks the account's own email (or phone) verified with the code last sent to it
   * ({@code GET …/captcha?captcha_type=email&target=<own address>}): a code sent to any other
   * address is refused.
   */
  Future<Void> verify(AuthApi.Principal principal, UserStore.LoginField field, String code, AuthApi.Origin origin) {
    if (code == null || code.isEmpty()) {
      throw AppError.validation("code", "code is required");
    }
    String what = field == UserStore.LoginField.EMAIL ? "email" : "phone";
    return users.findById(principal.userId()).compose(found -> {
      UserStore.User user = found.orElseThrow(() -> new AppError(Reason.TOKEN_INVALID, "account no longer exists"));
      String address = field == UserStore.LoginField.EMAIL ? user.email() : user.phone();
      if (address == null || address.isEmpty()) {
        return Future.failedFuture(new AppError(Reason.BAD_REQUEST, "this account has no " + what + " to verify"));
      }
      return captchas.consumeSentTo(CredentialRules.targetKey(address), code)
          .compose(v -> users.markVerified(user.id(), field, address))
          .compose(marked -> marked ? Future.<Void>succeededFuture()
              : Future.<Void>failedFuture(new AppError(Reason.CODE_INVALID, "the " + what + " changed since the code was sent")))
          .onSuccess(v -> events.publish(AuthEvents.Kind.ADDRESS_VERIFIED, user.id(), user.username(), origin, what));
    });
  }

  Future<AuthApi.Me> me(AuthApi.Principal principal) {
    return users.findById(principal.userId()).compose(found -> found
        .map(u -> Future.succeededFuture(new AuthApi.Me(u.id(), u.username(), Masking.email(u.email()),
            Masking.phone(u.phone()), u.totpEnabled(), u.createdAt().toInstant().truncatedTo(ChronoUnit.SECONDS).toString(),
            u.emailVerified(), u.phoneVerified())))
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
