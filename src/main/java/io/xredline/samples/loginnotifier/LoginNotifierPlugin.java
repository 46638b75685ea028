package io.xredline.samples.loginnotifier;

import io.vertx.core.Deployable;
import io.xredline.plugins.Plugin;

import java.util.Set;

/** Sample plugin: emails a user when they sign in from an address not seen for them before. */
public final class LoginNotifierPlugin implements Plugin {
  public static final String NAME = "login-notifier";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String version() {
    return "1.0.0";
  }

  @Override
  public Set<String> hooks() {
    return Set.of("after-login");
  }

  @Override
  public Deployable verticle() {
    return new LoginNotifierVerticle();
  }
}
