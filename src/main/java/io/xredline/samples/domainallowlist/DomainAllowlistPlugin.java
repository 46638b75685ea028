package io.xredline.samples.domainallowlist;

import io.vertx.core.Deployable;
import io.xredline.plugins.Plugin;

import java.util.Set;

/** Sample plugin: refuses registrations whose email is outside {@code plugins.domain-allowlist.domains}. */
public final class DomainAllowlistPlugin implements Plugin {
  public static final String NAME = "domain-allowlist";

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
    return Set.of("before-register");
  }

  @Override
  public Deployable verticle() {
    return new DomainAllowlistVerticle();
  }
}
