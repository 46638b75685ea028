package io.xredline.http;

import io.vertx.core.Future;

import java.util.Set;

/**
 * Who is calling, from the {@code Authorization} header. A narrow seam so routes that need a role
 * (the audit trail needs {@code admin}) do not depend on how tokens are verified; failures are
 * {@code AppError}s (TOKEN_MISSING, TOKEN_INVALID, …) rendered by {@link HttpErrors}.
 */
interface AccessCheck {
  record Caller(String userId, String username, Set<String> roles) {
    boolean hasRole(String role) {
      return roles.contains(role);
    }
  }

  Future<Caller> authenticate(String authorizationHeader, String requestId);
}
