package io.xredline.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.xredline.auth.store.CaptchaStore;
import io.xredline.config.AppConfig;
import io.xredline.error.AppError;
import io.xredline.error.Reason;
import io.xredline.features.FeatureFlags;

import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Captchas: issue (image rendered here; sms/email codes handed to a delivery address), verify, and
 * consume for login/register. 6 characters, case-insensitive, one-time, burned after 5 wrong answers.
 */
final class Captchas {
  static final int LENGTH = 6;
  static final int MAX_WRONG = 5;
  /** No 0/O, 1/I/L: nothing a person could misread. */
  static final String IMAGE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Vertx vertx;
  private final CaptchaStore store;
  private final AppConfig.Captcha config;
  private final AuthLimits limits;
  private final FeatureFlags flags;

  Captchas(Vertx vertx, CaptchaStore store, AppConfig.Captcha config, AuthLimits limits, FeatureFlags flags) {
    this.vertx = vertx;
    this.store = store;
    this.config = config;
    this.limits = limits;
    this.flags = flags;
  }

  /** The {@code captcha} flag (for everyone: no caller is known yet) when defined, else {@code auth.captcha.enabled}. */
  boolean enabled() {
    return flags.enabled("captcha", FeatureFlags.Caller.ANONYMOUS, config.enabled());
  }

  /**
   * Field checks, then {@code captcha_ip}, then for sms/email the target's own limits
   * ({@code code_target}, {@code code_target_day}) before anything is sent: a refused send costs
   * neither a delivery nor a code.
   */
  Future<AuthApi.Captcha> issue(AuthApi.CaptchaRequest request, AuthApi.Origin origin) {
    if (!enabled()) {
      throw new AppError(Reason.CAPTCHA_DISABLED, "captcha is turned off on this server");
    }
    String type = request.captchaType() == null || request.captchaType().isEmpty()
        ? "image" : request.captchaType().toLowerCase(Locale.ROOT);
    String id = Tokens.newId().replace("-", "");
    long expiresIn = config.expiration().toSeconds();
    return switch (type) {
      case "image" -> {
        String code = code(IMAGE_ALPHABET);
        yield limits.captcha(origin)
            .compose(v -> store.create(id, code, config.expiration(), null))
            .compose(v -> vertx.executeBlocking(() -> CaptchaImage.dataUri(code), false))
            .map(uri -> new AuthApi.Captcha(id, uri, expiresIn));
      }
      case "sms", "email" -> {
        String target = target(type, request.target());
        String bound = CredentialRules.targetKey(target);
        String code = code("0123456789");
        yield limits.captcha(origin)
            .compose(v -> limits.codeSend(bound))
            .compose(v -> store.create(id, code, config.expiration(), bound))
            .map(v -> {
              AuthApi.Delivery delivery = new AuthApi.Delivery(type, target, code, expiresIn);
              vertx.eventBus().send("sms".equals(type) ? AuthApi.DELIVER_SMS : AuthApi.DELIVER_EMAIL, delivery.toJson());
              return new AuthApi.Captcha(id, "", expiresIn);
            });
      }
      default -> throw new AppError(Reason.CAPTCHA_TYPE_UNSUPPORTED, "captcha_type must be image, sms or email");
    };
  }

  private static String target(String type, String target) {
    if (target == null || target.isEmpty()) {
      throw new AppError(Reason.CAPTCHA_TARGET_REQUIRED, "target is required for " + type + " captchas");
    }
    if ("email".equals(type)) {
      return CredentialRules.email(target);
    }
    return CredentialRules.phone(target);
  }

  private String code(String alphabet) {
    if (config.fixedCode() != null) {
      return config.fixedCode().toUpperCase(Locale.ROOT);
    }
    StringBuilder code = new StringBuilder(LENGTH);
    for (int i = 0; i < LENGTH; i++) {
      code.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return code.toString();
  }

  /** Makes and stores a password-reset code for {@code targetKey}; the caller decides whether it is sent. */
  Future<String> resetCode(String targetKey, java.time.Duration ttl) {
    String code = code("0123456789");
    return store.createReset(targetKey, code, ttl).map(code);
  }

  /** Hands a code to the delivery channel of its target; nothing waits for the send. */
  void deliver(String channel, String address, String code, long expiresInSeconds) {
    AuthApi.Delivery delivery = new AuthApi.Delivery(channel, address, code, expiresInSeconds);
    vertx.eventBus().send("sms".equals(channel) ? AuthApi.DELIVER_SMS : AuthApi.DELIVER_EMAIL, delivery.toJson());
  }

  /** Spends the reset code of {@code targetKey}: CODE_INVALID for a wrong one, CODE_EXPIRED when none is live. */
  Future<Void> consumeReset(String targetKey, String code) {
    return store.checkReset(targetKey, normalized(code), MAX_WRONG).compose(Captchas::codeOutcome);
  }

  /** Spends the latest code sent to {@code targetKey} (email/phone verification). */
  Future<Void> consumeSentTo(String targetKey, String code) {
    return store.checkSentTo(targetKey, normalized(code), MAX_WRONG).compose(Captchas::codeOutcome);
  }

  private static String normalized(String code) {
    return code.length() > 32 ? "" : code.trim().toUpperCase(Locale.ROOT);
  }

  private static Future<Void> codeOutcome(CaptchaStore.Outcome outcome) {
    return switch (outcome) {
      case OK -> Future.succeededFuture();
      case WRONG, ELSEWHERE -> Future.failedFuture(new AppError(Reason.CODE_INVALID, "wrong code"));
      case BURNED -> Future.failedFuture(new AppError(Reason.CODE_INVALID,
          "wrong code; too many wrong answers, request a new code"));
      case EXPIRED -> Future.failedFuture(new AppError(Reason.CODE_EXPIRED, "code expired or already used; request a new one"));
    };
  }

  Future<JsonObject> verify(AuthApi.VerifyCaptcha request) {
    if (!enabled()) {
      throw new AppError(Reason.CAPTCHA_DISABLED, "captcha is turned off on this server");
    }
    requireFields(request.captchaId(), request.captchaCode());
    return consume(request.captchaId(), request.captchaCode(), null).map(v -> AuthApi.SUCCESS);
  }

  /** Field checks, before anything else happens; nothing is required while captcha is off. */
  void requireFields(String id, String code) {
    if (!enabled()) {
      return;
    }
    boolean noId = id == null || id.isEmpty();
    boolean noCode = code == null || code.isEmpty();
    if (noId && noCode) {
      throw new AppError(Reason.CAPTCHA_REQUIRED, "captcha_id and captcha_code are required");
    }
    if (noId) {
      throw new AppError(Reason.CAPTCHA_ID_REQUIRED, "captcha_id is required");
    }
    if (noCode) {
      throw new AppError(Reason.CAPTCHA_CODE_REQUIRED, "captcha_code is required");
    }
  }

  /**
   * Spends the captcha: succeeds once on the right code; wrong codes count towards burning it.
   * {@code provenTargets}: the (normalised) addresses this request proves — an sms/email code
   * sent anywhere else is refused like a wrong one; null (verify) accepts any captcha.
   */
  Future<Void> consume(String id, String code, List<String> provenTargets) {
    if (!enabled()) {
      return Future.succeededFuture();
    }
    if (!ID.matcher(id).matches()) {
      return Future.failedFuture(new AppError(Reason.CAPTCHA_EXPIRED, "captcha expired or unknown; request a new one"));
    }
    String answer = code.length() > 32 ? "" : code.trim().toUpperCase(Locale.ROOT);
    return store.check(id, answer, MAX_WRONG, provenTargets).compose(outcome -> switch (outcome) {
      case OK -> Future.succeededFuture();
      case WRONG -> Future.failedFuture(new AppError(Reason.CAPTCHA_INVALID, "wrong captcha code"));
      case ELSEWHERE -> Future.failedFuture(new AppError(Reason.CAPTCHA_INVALID,
          "this code was sent to a different address than the one given here"));
      case BURNED -> Future.failedFuture(new AppError(Reason.CAPTCHA_INVALID,
          "wrong captcha code; too many wrong answers, request a new captcha"));
      case EXPIRED -> Future.failedFuture(new AppError(Reason.CAPTCHA_EXPIRED,
          "captcha expired or already used; request a new one"));
    });
  }
}
