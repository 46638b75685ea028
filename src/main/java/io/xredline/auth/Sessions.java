package io.xredline.auth;

import io.vertx.core.Future;
import io.xredline.auth.store.TokenFamilies;
import io.xredline.config.AppConfig;
import io.xredline.error.AppError;
import io.xredline.error.Reason;

import java.time.Instant;

/**
 * Sign-in sessions: a token pair per sign-in (one refresh-token family), rotation on refresh with
 * reuse detection, access-token checks against the deny-list, and logout.
 */
final class Sessions {
  private final Tokens tokens;
  private final TokenFamilies families;
  private final AuthEvents events;
  private final AppConfig.Jwt config;

  Sessions(Tokens tokens, TokenFamilies families, AuthEvents events, AppConfig.Jwt config) {
    this.tokens = tokens;
    this.families = families;
    this.events = events;
    this.config = config;
  }

  Future<AuthApi.TokenPair> start(long userId, String username) {
    String familyId = Tokens.newId();
    String refreshJti = Tokens.newId();
    long lifetimeMs = config.refreshTokenExpiration().toMillis();
    return families.create(familyId, userId, refreshJti, lifetimeMs)
        .map(v -> pair(userId, username, familyId, refreshJti, lifetimeMs));
  }

  private AuthApi.TokenPair pair(long userId, String username, String familyId, String refreshJti, long remainingMs) {
    long now = Instant.now().getEpochSecond();
    long accessSeconds = config.accessTokenExpiration().toSeconds();
    long refreshSeconds = Math.max(1, remainingMs / 1000);
    String access = tokens.issue(Tokens.ACCESS, userId, username, familyId, Tokens.newId(), now + accessSeconds);
    String refresh = tokens.issue(Tokens.REFRESH, userId, username, familyId, refreshJti, now + refreshSeconds);
    return new AuthApi.TokenPair(access, refresh, "Bearer", accessSeconds, refreshSeconds);
  }

  Future<AuthApi.TokenPair> refresh(String refreshToken, AuthApi.Origin origin) {
    if (refreshToken == null || refreshToken.isEmpty()) {
      throw new AppError(Reason.REFRESH_TOKEN_REQUIRED, "refresh_token is required");
    }
    return tokens.verify(refreshToken, Tokens.REFRESH).compose(claims -> {
      String next = Tokens.newId();
      return families.rotate(claims.userId(), claims.familyId(), claims.jti(), next).compose(rotated -> switch (rotated.outcome()) {
        case ROTATED -> Future.succeededFuture(
            pair(claims.userId(), claims.username(), claims.familyId(), next, rotated.remainingMs()));
        case REUSED -> {
          events.publish(AuthEvents.Kind.TOKEN_REUSE, claims.userId(), claims.username(), origin, "family_revoked");
          yield Future.failedFuture(new AppError(Reason.TOKEN_REUSED,
              "refresh token was already used; this session has been revoked, sign in again"));
        }
        case REVOKED, UNKNOWN -> Future.failedFuture(new AppError(Reason.TOKEN_INVALID,
            "session revoked or expired; sign in again"));
      });
    });
  }

  Future<AuthApi.Principal> authenticate(String authorization) {
    String token = Tokens.bearer(authorization);
    return tokens.verify(token, Tokens.ACCESS).compose(claims ->
        families.checkAccess(claims.userId(), claims.jti(), claims.familyId()).compose(access -> switch (access) {
          case OK -> Future.succeededFuture(new AuthApi.Principal(claims.userId(), claims.username(), claims.jti(),
              claims.familyId(), claims.expiresAt()));
          case DENIED -> Future.failedFuture(new AppError(Reason.TOKEN_INVALID, "token revoked (logged out)"));
          case REVOKED -> Future.failedFuture(new AppError(Reason.TOKEN_INVALID, "session revoked; sign in again"));
        }));
  }

  Future<Void> logout(AuthApi.Principal principal, boolean allSessions, AuthApi.Origin origin) {
    long untilExpiryMs = (principal.expiresAtSeconds() - Instant.now().getEpochSecond()) * 1000
        + config.leeway().toMillis();
    Future<?> revoke = allSessions ? families.revokeAll(principal.userId()) : families.revoke(principal.userId(), principal.familyId());
    return families.deny(principal.userId(), principal.jti(), untilExpiryMs)
        .compose(v -> revoke)
        .onSuccess(v -> events.publish(AuthEvents.Kind.LOGOUT, principal.userId(), principal.username(), origin,
            allSessions ? "all_sessions" : "session"))
        .mapEmpty();
  }
}
