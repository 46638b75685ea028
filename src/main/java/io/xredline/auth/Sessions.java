package io.xredline.auth;

import io.vertx.core.Future;
import io.xredline.auth.store.TokenFamilies;
import io.xredline.config.AppConfig;
import io.xredline.error.AppError;
import io.xredline.error.Reason;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.regex.Pattern;

/**
 * Sign-in sessions: a token pair per sign-in (one refresh-token family), rotation on refresh with
 * reuse detection, access-token checks against the deny-list, and logout.
 */
final class Sessions {
  private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");
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

  /** A new sign-in; where it came from ({@code origin}'s address and user agent) is kept for the sessions list. */
  Future<AuthApi.TokenPair> start(long userId, String username, AuthApi.Origin origin) {
    String familyId = Tokens.newId();
    String refreshJti = Tokens.newId();
    long lifetimeMs = config.refreshTokenExpiration().toMillis();
    return families.create(familyId, userId, refreshJti, lifetimeMs, origin.clientIp(), origin.userAgent())
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
          case DISABLED -> Future.failedFuture(new AppError(Reason.ACCOUNT_DISABLED,
              "this account is disabled; contact an administrator"));
        }));
  }

  /** The caller's live sign-ins, newest first; {@code current} marks the one this token belongs to. */
  Future<JsonObject> list(AuthApi.Principal principal) {
    return families.list(principal.userId()).map(found -> {
      JsonArray out = new JsonArray();
      found.stream()
          .sorted(Comparator.comparingLong(TokenFamilies.Session::createdAtMs).reversed())
          .forEach(f -> out.add(new AuthApi.Session(f.familyId(), iso(f.createdAtMs()), iso(f.lastUsedAtMs()),
              f.ip().isEmpty() ? null : f.ip(), f.userAgent().isEmpty() ? null : f.userAgent(),
              f.familyId().equals(principal.familyId())).toJson()));
      return new JsonObject().put("sessions", out);
    });
  }

  /** Ends one of the caller's sign-ins (the current one too); NOT_FOUND for one that is not theirs or not live. */
  Future<Void> revoke(AuthApi.Principal principal, String sessionId, AuthApi.Origin origin) {
    if (sessionId == null || !SESSION_ID.matcher(sessionId).matches()) {
      return Future.failedFuture(new AppError(Reason.NOT_FOUND, "no such session"));
    }
    return families.revoke(principal.userId(), sessionId).compose(revoked -> {
      if (!revoked) {
        return Future.failedFuture(new AppError(Reason.NOT_FOUND, "no such session"));
      }
      events.publish(AuthEvents.Kind.SESSION_REVOKED, principal.userId(), principal.username(), origin,
          sessionId.equals(principal.familyId()) ? "current" : "other");
      return Future.succeededFuture();
    });
  }

  /** Every sign-in of the account but {@code keepFamilyId} (null: all of them). */
  Future<Integer> revokeOthers(long userId, String keepFamilyId) {
    return keepFamilyId == null ? families.revokeAll(userId) : families.revokeAllBut(userId, keepFamilyId);
  }

  Future<Integer> disable(long userId) {
    return families.disable(userId);
  }

  Future<Void> enable(long userId) {
    return families.enable(userId);
  }

  private static String iso(long epochMs) {
    return Instant.ofEpochMilli(epochMs).truncatedTo(ChronoUnit.SECONDS).toString();
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
