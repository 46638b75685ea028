package io.xredline.auth;

import io.vertx.core.Future;
import io.xredline.auth.store.LoginAttempts;
import io.xredline.auth.store.RedisKeys;
import io.xredline.auth.store.UserStore;
import io.xredline.error.AppError;
import io.xredline.error.Reason;

/**
 * What an admin (or the operator CLI) does to an account: lift its lockout, disable it (sign-in
 * and every authenticated request answer ACCOUNT_DISABLED, its sessions end), enable it again,
 * reset its TOTP. Each is an audit event naming who did it.
 */
final class AccountAdmin {
  private final UserStore users;
  private final LoginAttempts attempts;
  private final Sessions sessions;
  private final AuthEvents events;

  AccountAdmin(UserStore users, LoginAttempts attempts, Sessions sessions, AuthEvents events) {
    this.users = users;
    this.attempts = attempts;
    this.sessions = sessions;
    this.events = events;
  }

  /** {@code admin} null: the operator CLI, which has the database in its hands anyway. */
  Future<Void> apply(AuthApi.Principal admin, AuthApi.AdminAction action, String username, AuthApi.Origin origin) {
    if (action == null) {
      throw AppError.validation("action", "unknown admin action");
    }
    Future<String> actor = admin == null ? Future.succeededFuture("operator")
        : users.findById(admin.userId()).compose(found -> found.isPresent() && found.get().isAdmin()
            ? Future.succeededFuture(found.get().username())
            : Future.failedFuture(new AppError(Reason.FORBIDDEN, AuthApi.ADMIN_ONLY)));
    return actor.compose(by -> target(username).compose(user -> run(action, user)
        .onSuccess(v -> events.publish(kind(action), user.id(), user.username(), origin, "by " + by))));
  }

  private Future<UserStore.User> target(String username) {
    if (username == null || !CredentialRules.USERNAME.matcher(username).matches()) {
      return Future.failedFuture(new AppError(Reason.NOT_FOUND, "no such user"));
    }
    return users.find(UserStore.LoginField.USERNAME, username).compose(found -> found
        .map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(new AppError(Reason.NOT_FOUND, "no such user"))));
  }

  private Future<Void> run(AuthApi.AdminAction action, UserStore.User user) {
    return switch (action) {
      case UNLOCK -> attempts.unlockAccount(RedisKeys.account(user.id())).mapEmpty();
      // the database first: a sign-in racing the disable finds the flag, then its session dies with the rest
      case DISABLE -> users.setDisabled(user.id(), true).compose(v -> sessions.disable(user.id())).mapEmpty();
      case ENABLE -> users.setDisabled(user.id(), false).compose(v -> sessions.enable(user.id()));
      case TOTP_RESET -> users.disableTotp(user.id());
    };
  }

  private static AuthEvents.Kind kind(AuthApi.AdminAction action) {
    return switch (action) {
      case UNLOCK -> AuthEvents.Kind.ACCOUNT_UNLOCKED;
      case DISABLE -> AuthEvents.Kind.ACCOUNT_DISABLED;
      case ENABLE -> AuthEvents.Kind.ACCOUNT_ENABLED;
      case TOTP_RESET -> AuthEvents.Kind.TOTP_RESET;
    };
  }
}
