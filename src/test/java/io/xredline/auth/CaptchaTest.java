package io.xredline.auth;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.vertx.core.json.JsonObject;
import io.xredline.api.auth.v1.CaptchaReply;
import io.xredline.api.auth.v1.GetCaptchaRequest;
import io.xredline.api.auth.v1.SuccessReply;
import io.xredline.api.auth.v1.VerifyCaptchaRequest;
import io.vertx.redis.client.Command;
import io.xredline.testing.Eventually;
import io.xredline.testing.GrpcCalls;
import io.xredline.testing.TestApp;
import io.xredline.testing.TestBackends;
import io.xredline.testing.TestRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("captcha: image PNG, sms/email delivery, verify, one-time use, burning, expiry — REST and gRPC")
class CaptchaTest extends AuthTestBase {
  private static TestApp app;
  private static GrpcCalls calls;

  @BeforeAll
  static void start() {
    app = TestApp.start("authcaptcha", overrides());
    calls = new GrpcCalls(app.grpcPort());
  }

  @AfterAll
  static void stop() {
    calls.close();
    app.close();
    assertNoSecretsLogged();
  }

  static HttpResponse<String> verify(TestApp app, String id, String code) {
    return postJson(app, AUTH + "/captcha/verify", new JsonObject().put("captcha_id", id).put("captcha_code", code));
  }

  @Test
  @DisplayName("an image captcha is a real 200x70 PNG in a data URI, with an id and its lifetime")
  void imageIsPng() throws Exception {
    HttpResponse<String> r = app.get(AUTH + "/captcha?captcha_type=image");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject body = json(r);
    assertThat(body.fieldNames()).containsExactlyInAnyOrder("captcha_id", "image_data", "expires_in");
    assertThat(body.getLong("expires_in")).isEqualTo(300);
    String uri = body.getString("image_data");
    assertThat(uri).startsWith("data:image/png;base64,");
    byte[] png = Base64.getDecoder().decode(uri.substring("data:image/png;base64,".length()));
    assertThat(png).startsWith(0x89, 'P', 'N', 'G');
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(image.getWidth()).isEqualTo(200);
    assertThat(image.getHeight()).isEqualTo(70);
    assertThat(darkPixels(image)).as("strokes are drawn").isGreaterThan(400);
  }

  @Test
  @DisplayName("the default captcha type is image, and two captchas never share an id")
  void defaultsToImage() {
    JsonObject a = json(app.get(AUTH + "/captcha"));
    JsonObject b = json(app.get(AUTH + "/captcha"));
    assertThat(a.getString("image_data")).startsWith("data:image/png;base64,");
    assertThat(a.getString("captcha_id")).isNotEqualTo(b.getString("captcha_id"));
  }

  @Test
  @DisplayName("every character the renderer may be asked for (A-Z, 0-9) renders, and renders differently each time")
  void rendersEveryCharacter() throws Exception {
    String all = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    for (int i = 0; i < all.length(); i += 6) {
      String code = all.substring(i, i + 6);
      byte[] first = CaptchaImage.png(code);
      assertThat(ImageIO.read(new ByteArrayInputStream(first)).getWidth()).isEqualTo(CaptchaImage.WIDTH);
      assertThat(CaptchaImage.png(code)).as("random distortion").isNotEqualTo(first);
    }
  }

  @Test
  @DisplayName("unknown captcha_type → 400 CAPTCHA_TYPE_UNSUPPORTED on both transports")
  void unsupportedType() {
    assertError(app.get(AUTH + "/captcha?captcha_type=voice"), 400, "CAPTCHA_TYPE_UNSUPPORTED");
    assertGrpcError(grpc(calls, "GetCaptcha", GetCaptchaRequest.newBuilder().setCaptchaType("voice").build(),
        CaptchaReply.newBuilder()), "INVALID_ARGUMENT", "CAPTCHA_TYPE_UNSUPPORTED");
  }

  @Test
  @DisplayName("sms/email without target → 400 CAPTCHA_TARGET_REQUIRED; a bad target → INVALID_PHONE / INVALID_EMAIL")
  void targets() {
    assertError(app.get(AUTH + "/captcha?captcha_type=sms"), 400, "CAPTCHA_TARGET_REQUIRED");
    assertError(app.get(AUTH + "/captcha?captcha_type=email"), 400, "CAPTCHA_TARGET_REQUIRED");
    assertError(app.get(AUTH + "/captcha?captcha_type=sms&target=12345"), 400, "INVALID_PHONE");
    assertError(app.get(AUTH + "/captcha?captcha_type=email&target=not-an-email"), 400, "INVALID_EMAIL");
    assertGrpcError(grpc(calls, "GetCaptcha", GetCaptchaRequest.newBuilder().setCaptchaType("sms").build(),
        CaptchaReply.newBuilder()), "INVALID_ARGUMENT", "CAPTCHA_TARGET_REQUIRED");
  }

  @Test
  @DisplayName("an sms captcha returns no code or image, and the delivery log shows only the masked number")
  void smsNeverReturnsCode() {
    int before = LOG_LINES.size();
    HttpResponse<String> r = app.get(AUTH + "/captcha?captcha_type=sms&target=13812345678");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject body = json(r);
    assertThat(body.getString("image_data")).isEmpty();
    assertThat(r.body()).doesNotContain(CAPTCHA_CODE);
    assertThat(waitForLog(before, "138****5678")).contains("sms").doesNotContain("13812345678");
    // the code that went to the phone works once
    assertThat(verify(app, body.getString("captcha_id"), CAPTCHA_CODE).statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("auth.captcha.log_codes only works in dev: in test the delivery log still never shows the code")
  @Timeout(value = 2, unit = TimeUnit.MINUTES) // starts a service instance of its own: beyond 30 s when both cores are busy
  void logCodesOnlyInDev() {
    try (TestApp logging = TestApp.start("authcaptchalog", overrides("auth.captcha.log_codes", "true"))) {
      int before = LOG_LINES.size();
      assertThat(logging.get(AUTH + "/captcha?captcha_type=email&target=carol@example.com").statusCode()).isEqualTo(200);
      assertThat(waitForLog(before, "ca**@example.com")).doesNotContain(CAPTCHA_CODE).doesNotContain("carol@");
    }
  }

  @Test
  @DisplayName("verify: right code → {success:true}, once; the same captcha again → CAPTCHA_EXPIRED (one-time use)")
  void oneTimeUse() {
    String id = captcha(app);
    HttpResponse<String> ok = verify(app, id, CAPTCHA_CODE);
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(json(ok)).isEqualTo(new JsonObject().put("success", true));
    assertError(verify(app, id, CAPTCHA_CODE), 400, "CAPTCHA_EXPIRED");
  }

  @Test
  @DisplayName("codes are case-insensitive")
  void caseInsensitive() {
    assertThat(verify(app, captcha(app), CAPTCHA_CODE.toLowerCase()).statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("4 wrong answers leave the captcha usable; the 5th burns it, so even the right code then fails")
  void burnsAfterFiveWrong() {
    String id = captcha(app);
    for (int i = 0; i < 4; i++) {
      assertError(verify(app, id, "WRONG1"), 400, "CAPTCHA_INVALID");
    }
    assertThat(verify(app, id, CAPTCHA_CODE).statusCode()).as("still alive after 4 wrong").isEqualTo(200);

    String burned = captcha(app);
    for (int i = 0; i < 5; i++) {
      assertError(verify(app, burned, "WRONG1"), 400, "CAPTCHA_INVALID");
    }
    assertError(verify(app, burned, CAPTCHA_CODE), 400, "CAPTCHA_EXPIRED");
  }

  @Test
  @DisplayName("verify field checks: CAPTCHA_REQUIRED, CAPTCHA_ID_REQUIRED, CAPTCHA_CODE_REQUIRED; unknown id → CAPTCHA_EXPIRED")
  void verifyFields() {
    assertError(postJson(app, AUTH + "/captcha/verify", new JsonObject()), 400, "CAPTCHA_REQUIRED");
    assertError(postJson(app, AUTH + "/captcha/verify", new JsonObject().put("captcha_code", "ABCDEF")), 400,
        "CAPTCHA_ID_REQUIRED");
    assertError(postJson(app, AUTH + "/captcha/verify", new JsonObject().put("captcha_id", "abc")), 400,
        "CAPTCHA_CODE_REQUIRED");
    assertError(verify(app, "no-such-captcha", CAPTCHA_CODE), 400, "CAPTCHA_EXPIRED");
    assertError(verify(app, "../../etc/passwd' OR 1=1 --", CAPTCHA_CODE), 400, "CAPTCHA_EXPIRED");
    assertError(postJson(app, AUTH + "/captcha/verify", new JsonObject().put("captcha_id", 42).put("captcha_code", "x")),
        400, "VALIDATION_FAILED");
  }

  @Test
  @DisplayName("gRPC GetCaptcha + VerifyCaptcha give the same answers as REST")
  void grpcParity() {
    GrpcCalls.Result<CaptchaReply> issued = grpc(calls, "GetCaptcha", GetCaptchaRequest.newBuilder().build(),
        CaptchaReply.newBuilder());
    assertThat(issued.status().name()).isEqualTo("OK");
    assertThat(issued.reply().getImageData()).startsWith("data:image/png;base64,");
    VerifyCaptchaRequest right = VerifyCaptchaRequest.newBuilder().setCaptchaId(issued.reply().getCaptchaId())
        .setCaptchaCode(CAPTCHA_CODE).build();
    GrpcCalls.Result<SuccessReply> ok = grpc(calls, "VerifyCaptcha", right, SuccessReply.newBuilder());
    assertThat(ok.reply().getSuccess()).isTrue();
    assertGrpcError(grpc(calls, "VerifyCaptcha", right, SuccessReply.newBuilder()), "INVALID_ARGUMENT", "CAPTCHA_EXPIRED");
    assertGrpcError(grpc(calls, "VerifyCaptcha", VerifyCaptchaRequest.newBuilder().build(), SuccessReply.newBuilder()),
        "INVALID_ARGUMENT", "CAPTCHA_REQUIRED");
    String id = captcha(app);
    assertGrpcError(grpc(calls, "VerifyCaptcha", VerifyCaptchaRequest.newBuilder().setCaptchaId(id).setCaptchaCode("NOPE12")
        .build(), SuccessReply.newBuilder()), "INVALID_ARGUMENT", "CAPTCHA_INVALID");
  }

  @Test
  @DisplayName("with auth.captcha.expiration 1s a captcha lives at most 1 s in Redis; once gone → CAPTCHA_EXPIRED")
  @Timeout(value = 2, unit = TimeUnit.MINUTES) // starts a service instance of its own: beyond 30 s when both cores are busy
  void expiry() {
    try (TestApp shortLived = TestApp.start("authcaptchattl", overrides("auth.captcha.expiration", "1s"))) {
      String id = captcha(shortLived);
      // -2 (already gone) on a machine slower than the TTL; never more than the configured second
      long ttl = TestRedis.send(shortLived, Command.PTTL, "auth:captcha:" + id).toLong();
      assertThat(ttl).as("PTTL of the stored captcha").isLessThanOrEqualTo(1000).isNotIn(-1L, 0L);
      assertThat(TestRedis.send(app, Command.PTTL, "auth:captcha:" + captcha(app)).toLong())
          .as("the default expiration, for contrast").isGreaterThan(1000);
      Eventually.await("the captcha expired in Redis", () -> !TestRedis.exists(shortLived, "auth:captcha:" + id));
      assertError(verify(shortLived, id, CAPTCHA_CODE), 400, "CAPTCHA_EXPIRED");
    }
  }

  @Test
  @DisplayName("with auth.captcha.enabled false: GET captcha → CAPTCHA_DISABLED and login/register need no captcha")
  @Timeout(value = 2, unit = TimeUnit.MINUTES) // starts a service instance of its own: beyond 30 s when both cores are busy
  void disabled() {
    try (TestApp off = TestApp.start("authcaptchaoff", overrides("auth.captcha.enabled", "false"))) {
      assertError(off.get(AUTH + "/captcha"), 400, "CAPTCHA_DISABLED");
      try (GrpcCalls offCalls = new GrpcCalls(off.grpcPort())) {
        assertGrpcError(grpc(offCalls, "GetCaptcha", GetCaptchaRequest.getDefaultInstance(), CaptchaReply.newBuilder()),
            "INVALID_ARGUMENT", "CAPTCHA_DISABLED");
      }
      String username = uniqueName("nocap");
      HttpResponse<String> reg = postJson(off, AUTH + "/register", new JsonObject().put("username", username)
          .put("password", PASSWORD).put("email", username + "@example.com"));
      assertThat(reg.statusCode()).as(reg.body()).isEqualTo(201);
      HttpResponse<String> login = postJson(off, AUTH + "/login", new JsonObject().put("username", username)
          .put("password", PASSWORD));
      assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
      remember(json(login));
    }
  }

  @Test
  @DisplayName("with auth.captcha.email.smtp set, an email captcha arrives by real SMTP with a code that verifies")
  @Timeout(value = 2, unit = TimeUnit.MINUTES) // starts a service instance of its own: beyond 30 s when both cores are busy
  void emailBySmtp() throws Exception {
    int port = TestBackends.freePort();
    GreenMail mail = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    mail.start();
    try (TestApp withMail = TestApp.start("authcaptchamail", overrides(
        "auth.captcha.fixed_code", "",
        "auth.captcha.email.smtp.host", "127.0.0.1",
        "auth.captcha.email.smtp.port", String.valueOf(port),
        "auth.captcha.email.smtp.starttls", "disabled"))) {
      HttpResponse<String> r = withMail.get(AUTH + "/captcha?captcha_type=email&target=alice@example.com");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(mail.waitForIncomingEmail(10_000, 1)).isTrue();
      var message = mail.getReceivedMessages()[0];
      assertThat(message.getAllRecipients()[0].toString()).isEqualTo("alice@example.com");
      Matcher m = Pattern.compile("code is ([0-9]{6})").matcher(com.icegreen.greenmail.util.GreenMailUtil.getBody(message));
      assertThat(m.find()).isTrue();
      String code = m.group(1);
      SECRETS.add(code);
      assertThat(r.body()).doesNotContain(code);
      assertThat(verify(withMail, json(r).getString("captcha_id"), code).statusCode()).isEqualTo(200);
    } finally {
      mail.stop();
    }
  }

  private static String waitForLog(int from, String needle) {
    return Eventually.value("a log line with " + needle, () -> {
      synchronized (LOG_LINES) {
        for (int i = from; i < LOG_LINES.size(); i++) {
          if (LOG_LINES.get(i).contains(needle)) {
            return LOG_LINES.get(i);
          }
        }
        return null;
      }
    }, java.util.Objects::nonNull);
  }

  private static int darkPixels(BufferedImage image) {
    int dark = 0;
    for (int x = 0; x < image.getWidth(); x++) {
      for (int y = 0; y < image.getHeight(); y++) {
        int rgb = image.getRGB(x, y);
        int lum = ((rgb >> 16) & 0xff) + ((rgb >> 8) & 0xff) + (rgb & 0xff);
        if (lum < 300) {
          dark++;
        }
      }
    }
    return dark;
  }
}
