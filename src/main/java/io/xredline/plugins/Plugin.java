package io.xredline.plugins;

import io.vertx.core.Deployable;

import java.util.Set;

/**
 * What a plugin jar provides (listed in {@code META-INF/services/io.xredline.plugins.Plugin}):
 * its name (also its config block, {@code plugins.<name>}), a version, the hooks it answers, and
 * a fresh verticle. The verticle runs on a worker context of its own, gets its block as
 * {@code config()}, and answers each hook on {@link PluginsApi#hookAddress}. See docs/plugins.md.
 */
public interface Plugin {
  String name();

  String version();

  /** Of {@link PluginsApi.Hook#names()}; the host sends a plugin only the hooks it names. */
  Set<String> hooks();

  Deployable verticle();
}
