package io.xredline.auth;

import io.vertx.core.json.JsonObject;
import io.xredline.error.AppError;
import io.xredline.error.Reason;
import io.xredline.plugins.PluginsApi;

/** A plugin's veto as the caller sees it: 403 PLUGIN_REJECTED, the plugin's (sanitised) message, its name in metadata. */
final class PluginRejection {
  private PluginRejection() {
  }

  static AppError of(PluginsApi.Verdict verdict) {
    return new AppError(Reason.PLUGIN_REJECTED, verdict.message(), new JsonObject().put("plugin", verdict.plugin()));
  }
}
