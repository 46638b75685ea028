package io.xredline.auth;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;
import io.xredline.config.AppConfig;
import io.xredline.observability.Masking;
import io.xredline.plugins.PluginsApi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/**
 * Default delivery of sms/email captcha codes. Email goes out by SMTP when
 * {@code auth.captcha.email.smtp.host} is set; everything else is logged with the target masked and
 * never the code — except in dev with {@code auth.captcha.log_codes: true}, for local work.
 */
public final class CaptchaDeliveryVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(CaptchaDeliveryVerticle.class);

  private final AppConfig config;
  private MailClient mail;

  public CaptchaDeliveryVerticle(AppConfig config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    AppConfig.Email email = config.auth().captcha().email();
    if (email.smtp() != null) {
      mail = MailClient.createShared(vertx, mailConfig(email.smtp()), "xredline-captcha-mail");
    }
    return Future.all(
        vertx.eventBus().<JsonObject>localConsumer(AuthApi.DELIVER_SMS, this::log).completion(),
        vertx.eventBus().<JsonObject>localConsumer(AuthApi.DELIVER_EMAIL, mail == null ? this::log : this::send).completion(),
        vertx.eventBus().<JsonObject>localConsumer(PluginsApi.SEND_MAIL, this::notice).completion());
  }

  /** Plugins' mail ({@link PluginsApi#SEND_MAIL}): the same sender and from-address as codes; replies {@code {sent}}. */
  private void notice(Message<JsonObject> message) {
    JsonObject body = message.body() == null ? new JsonObject() : message.body();
    String to = body.getString("to");
    String subject = body.getString("subject", "");
    String text = body.getString("text", "");
    if (to == null || !to.contains("@") || to.length() > 254 || subject.length() > 200 || text.length() > 10_000) {
      message.fail(400, "mail needs to (an email address), subject (≤ 200) and text (≤ 10000)");
      return;
    }
    if (mail == null) {
      LOG.info("mail \"{}\" for {} logged instead of sent (no SMTP server configured)", subject, Masking.email(to));
      message.reply(new JsonObject().put("sent", false));
      return;
    }
    mail.sendMail(new MailMessage().setFrom(config.auth().captcha().email().from()).setTo(to).setSubject(subject).setText(text))
        .onComplete(ok -> {
          LOG.info("mail \"{}\" sent to {}", subject, Masking.email(to));
          message.reply(new JsonObject().put("sent", true));
        }, e -> {
          LOG.warn("mail to {} failed: {}", Masking.email(to), e.getMessage());
          message.fail(503, "mail could not be sent");
        });
  }

  private void log(Message<JsonObject> message) {
    AuthApi.Delivery d = AuthApi.Delivery.fromJson(message.body());
    String target = d.maskedTarget();
    if (config.auth().captcha().logCodes() && "dev".equals(config.env())) {
      LOG.info("captcha code for {} {}: {} (dev only: auth.captcha.log_codes)", d.channel(), target, d.code());
    } else {
      LOG.info("captcha code sent by {} to {} (no {} gateway configured: logged instead)", d.channel(), target, d.channel());
    }
  }

  private void send(Message<JsonObject> message) {
    AuthApi.Delivery d = AuthApi.Delivery.fromJson(message.body());
    AppConfig.Email email = config.auth().captcha().email();
    MailMessage mailMessage = new MailMessage()
        .setFrom(email.from())
        .setTo(d.target())
        .setSubject(email.subject())
        .setText("Your verification code is " + d.code() + ".\nIt expires in " + Math.max(1, d.expiresInSeconds() / 60)
            + " minute(s). If you did not ask for it, ignore this message.\n");
    mail.sendMail(mailMessage).onComplete(
        ok -> LOG.info("captcha code emailed to {}", Masking.email(d.target())),
        e -> LOG.warn("captcha email to {} failed: {}", Masking.email(d.target()), e.getMessage()));
  }

  private static MailConfig mailConfig(AppConfig.Smtp smtp) {
    MailConfig mc = new MailConfig()
        .setHostname(smtp.host())
        .setPort(smtp.port())
        .setSsl(smtp.ssl())
        .setStarttls(StartTLSOptions.valueOf(smtp.starttls().toUpperCase(Locale.ROOT)));
    if (smtp.username() != null) {
      mc.setUsername(smtp.username()).setPassword(smtp.password()).setLogin(LoginOption.REQUIRED);
    } else {
      mc.setLogin(LoginOption.DISABLED);
    }
    return mc;
  }

  @Override
  public Future<?> stop() {
    return mail == null ? Future.succeededFuture() : mail.close();
  }
}
