package io.xredline.bus;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;

import java.util.UUID;

/**
 * A duty exactly one verticle instance of a Vert.x instance carries (capturing the audit trail,
 * announcing health changes) when its capability runs as several instances: the first instance to
 * claim it holds it until it releases it, the others serve requests only.
 */
public final class ProcessRole {
  private static final String MAP = "xredline.process-roles";

  private final LocalMap<String, String> holders;
  private final String name;
  private final String token = UUID.randomUUID().toString();
  private final boolean held;

  private ProcessRole(Vertx vertx, String name) {
    this.holders = vertx.sharedData().getLocalMap(MAP);
    this.name = name;
    this.held = holders.putIfAbsent(name, token) == null;
  }

  /** Claims {@code name} for the caller if no other instance of this Vert.x holds it. */
  public static ProcessRole claim(Vertx vertx, String name) {
    return new ProcessRole(vertx, name);
  }

  public boolean held() {
    return held;
  }

  /** Gives the duty up (only if this claim holds it), so an instance deployed later can take it. */
  public void release() {
    if (held) {
      holders.remove(name, token);
    }
  }
}
