package io.xredline.grpc;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.server.Service;
import io.vertx.grpc.server.ServiceBuilder;
import io.xredline.api.auth.v1.AdminUserRequest;
import io.xredline.api.auth.v1.AuthGrpcService;
import io.xredline.api.auth.v1.ListSessionsReply;
import io.xredline.api.auth.v1.MessageReply;
import io.xredline.api.auth.v1.Session;
import io.xredline.api.auth.v1.TotpEnableReply;
import io.xredline.error.AppError;
import io.xredline.error.Reason;
import io.xredline.api.auth.v1.CaptchaReply;
import io.xredline.api.auth.v1.LockStatusReply;
import io.xredline.api.auth.v1.MeReply;
import io.xredline.api.auth.v1.RegisterReply;
import io.xredline.api.auth.v1.SuccessReply;
import io.xredline.api.auth.v1.TokenReply;
import io.xredline.api.auth.v1.TotpSetupReply;
import io.xredline.auth.AuthApi;

/**
 * {@code auth.v1.Auth}: protobuf ⇄ {@link AuthApi} bus messages. Protected methods pass through
 * {@link #authenticated}, the gRPC twin of the REST bearer handler ({@code authorization} metadata).
 */
record AuthGrpc(EventBus bus, long timeoutMs, UnaryCalls calls) {
  static final String AUTHORIZATION_METADATA = "authorization";
  private static final SuccessReply SUCCESS = SuccessReply.newBuilder().setSuccess(true).build();

  /** A protected call: runs only with a live access token's principal. */
  private interface Protected<Req, Resp> {
    Future<Resp> call(Req request, AuthApi.Principal principal, AuthApi.Origin origin);
  }

  static Service service(EventBus bus, long busTimeoutMs, UnaryCalls calls) {
    return new AuthGrpc(bus, busTimeoutMs, calls).build();
  }

  private Service build() {
    ServiceBuilder b = Service.service(AuthGrpcService.SERVICE_NAME, AuthGrpcService.SERVICE_DESCRIPTOR);
    calls.bindWithContext(b, AuthGrpcService.GetCaptcha, (r, c) ->
        AuthApi.captcha(bus, new AuthApi.CaptchaRequest(r.getCaptchaType(), r.getTarget()), origin(c), timeoutMs)
            .map(captcha -> CaptchaReply.newBuilder().setCaptchaId(captcha.captchaId())
                .setImageData(captcha.imageData()).setExpiresIn(captcha.expiresIn()).build()));
    calls.bindWithContext(b, AuthGrpcService.VerifyCaptcha, (r, c) ->
        AuthApi.verifyCaptcha(bus, new AuthApi.VerifyCaptcha(r.getCaptchaId(), r.getCaptchaCode()), origin(c), timeoutMs)
            .map(ok -> SuccessReply.newBuilder().setSuccess(ok).build()));
    calls.bindWithContext(b, AuthGrpcService.Register, (r, c) ->
        AuthApi.register(bus, new AuthApi.Register(r.getUsername(), r.getPassword(), r.getEmail(), r.getPhone(),
                r.getCaptchaId(), r.getCaptchaCode()), origin(c), timeoutMs)
            .map(ok -> RegisterReply.newBuilder().setMessage(ok.message()).setUserId(ok.userId()).build()));
    calls.bindWithContext(b, AuthGrpcService.Login, (r, c) ->
        AuthApi.login(bus, new AuthApi.Login(r.getUsername(), r.getPassword(), r.getCaptchaId(), r.getCaptchaCode(),
            r.getTotpCode(), r.getRecoveryCode()), origin(c), timeoutMs).map(AuthGrpc::tokens));
    calls.bindWithContext(b, AuthGrpcService.RefreshToken, (r, c) ->
        AuthApi.refresh(bus, r.getRefreshToken(), origin(c), timeoutMs).map(AuthGrpc::tokens));
    authenticated(b, AuthGrpcService.Logout, (r, p, c) ->
        AuthApi.logout(bus, p, r.getAllSessions(), c, timeoutMs).map(SUCCESS));
    calls.bindWithContext(b, AuthGrpcService.Me, (r, context) -> AuthApi.me(bus,
            context.metadata().get(AUTHORIZATION_METADATA), origin(context), timeoutMs)
        .map(me -> MeReply.newBuilder().setUserId(me.userId()).setUsername(me.username())
            .setEmail(orEmpty(me.email())).setPhone(orEmpty(me.phone())).setTotpEnabled(me.totpEnabled())
            .setCreatedAt(me.createdAt()).setEmailVerified(me.emailVerified()).setPhoneVerified(me.phoneVerified()).build()));
    authenticated(b, AuthGrpcService.LockStatus, (r, p, c) -> AuthApi.lockStatus(bus, p, r.getUsername(), c, timeoutMs)
        .map(s -> LockStatusReply.newBuilder().setLocked(s.locked()).setUnlockTime(orEmpty(s.unlockTime()))
            .setFailedAttempts(s.failedAttempts()).setMaxAttempts(s.maxAttempts()).setAccountLocked(s.accountLocked())
            .setAccountMaxAttempts(s.accountMaxAttempts()).setLockedPairs(s.lockedPairs()).build()));
    authenticated(b, AuthGrpcService.TotpSetup, (r, p, c) -> AuthApi.totpSetup(bus, p, r.getPassword(), c, timeoutMs)
        .map(s -> TotpSetupReply.newBuilder().setSecret(s.secret()).setOtpauthUrl(s.otpauthUrl()).build()));
    authenticated(b, AuthGrpcService.TotpEnable, (r, p, c) -> AuthApi.totpEnable(bus, p, r.getTotpCode(), c, timeoutMs)
        .map(codes -> TotpEnableReply.newBuilder().setSuccess(true).addAllRecoveryCodes(codes).build()));
    authenticated(b, AuthGrpcService.TotpDisable, (r, p, c) -> AuthApi.totpDisable(bus, p,
        new AuthApi.TotpDisable(r.getPassword(), r.getTotpCode(), r.getRecoveryCode()), c, timeoutMs).map(SUCCESS));
    authenticated(b, AuthGrpcService.ChangePassword, (r, p, c) -> AuthApi.changePassword(bus, p,
        new AuthApi.ChangePassword(r.getCurrentPassword(), r.getNewPassword()), c, timeoutMs).map(SUCCESS));
    calls.bindWithContext(b, AuthGrpcService.ForgotPassword, (r, c) -> AuthApi.forgotPassword(bus,
            new AuthApi.ForgotPassword(r.getTarget(), r.getCaptchaId(), r.getCaptchaCode()), origin(c), timeoutMs)
        .map(message -> MessageReply.newBuilder().setMessage(message).build()));
    calls.bindWithContext(b, AuthGrpcService.ResetPassword, (r, c) -> AuthApi.resetPassword(bus,
        new AuthApi.ResetPassword(r.getTarget(), r.getCode(), r.getNewPassword()), origin(c), timeoutMs).map(SUCCESS));
    authenticated(b, AuthGrpcService.VerifyEmail, (r, p, c) ->
        AuthApi.verifyAddress(bus, p, "email", r.getCode(), c, timeoutMs).map(SUCCESS));
    authenticated(b, AuthGrpcService.VerifyPhone, (r, p, c) ->
        AuthApi.verifyAddress(bus, p, "phone", r.getCode(), c, timeoutMs).map(SUCCESS));
    authenticated(b, AuthGrpcService.ListSessions, (r, p, c) -> AuthApi.sessions(bus, p, c, timeoutMs).map(list -> {
      ListSessionsReply.Builder reply = ListSessionsReply.newBuilder();
      list.forEach(s -> reply.addSessions(Session.newBuilder().setSessionId(s.sessionId()).setCreatedAt(s.createdAt())
          .setLastUsedAt(s.lastUsedAt()).setIp(orEmpty(s.ip())).setUserAgent(orEmpty(s.userAgent()))
          .setCurrent(s.current())));
      return reply.build();
    }));
    authenticated(b, AuthGrpcService.RevokeSession, (r, p, c) ->
        AuthApi.revokeSession(bus, p, r.getSessionId(), c, timeoutMs).map(SUCCESS));
    admin(b, AuthGrpcService.AdminUnlock, AuthApi.AdminAction.UNLOCK);
    admin(b, AuthGrpcService.AdminDisable, AuthApi.AdminAction.DISABLE);
    admin(b, AuthGrpcService.AdminEnable, AuthApi.AdminAction.ENABLE);
    admin(b, AuthGrpcService.AdminTotpReset, AuthApi.AdminAction.TOTP_RESET);
    return b.build();
  }

  private <Req, Resp> void authenticated(ServiceBuilder builder, ServiceMethod<Req, Resp> method, Protected<Req, Resp> call) {
    calls.bindWithContext(builder, method, (request, context) -> {
      AuthApi.Origin origin = origin(context);
      return AuthApi.authenticate(bus, context.metadata().get(AUTHORIZATION_METADATA), origin, timeoutMs)
          .compose(principal -> call.call(request, principal, origin));
    });
  }

  /** The REST admin routes' twin: role admin, checked against the account's roles as they are now. */
  private void admin(ServiceBuilder builder, ServiceMethod<AdminUserRequest, SuccessReply> method,
                     AuthApi.AdminAction action) {
    calls.bindWithContext(builder, method, (request, context) -> {
      AuthApi.Origin origin = origin(context);
      return AuthApi.authorize(bus, context.metadata().get(AUTHORIZATION_METADATA), origin, timeoutMs)
          .compose(authorized -> authorized.hasRole("admin")
              ? AuthApi.admin(bus, authorized.principal(), action, request.getUsername(), origin, timeoutMs).map(SUCCESS)
              : Future.failedFuture(new AppError(Reason.FORBIDDEN, AuthApi.ADMIN_ONLY)));
    });
  }

  private static AuthApi.Origin origin(UnaryCalls.CallContext context) {
    return new AuthApi.Origin(context.requestId(), context.clientIp(), context.metadata().get("user-agent"));
  }

  private static TokenReply tokens(AuthApi.TokenPair pair) {
    return TokenReply.newBuilder().setAccessToken(pair.accessToken()).setRefreshToken(pair.refreshToken())
        .setTokenType(pair.tokenType()).setExpiresIn(pair.expiresIn()).setRefreshExpiresIn(pair.refreshExpiresIn()).build();
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }
}
