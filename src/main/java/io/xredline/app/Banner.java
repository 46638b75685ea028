package io.xredline.app;

import io.xredline.config.AppConfig;

import java.util.ArrayList;
import java.util.List;

/** The lines printed once the service is ready: where to point a browser, a probe, a scraper and a gRPC client. */
final class Banner {
  private Banner() {
  }

  /** {@code [label, target]} pairs, labels padded to one width, in the order a developer looks for them. */
  static List<String[]> urls(AppConfig config, boolean frontendBuilt) {
    return labelled(config, frontendBuilt).stream().map(l -> new String[] {String.format("%-9s", l[0]), l[1]}).toList();
  }

  private static List<String[]> labelled(AppConfig config, boolean frontendBuilt) {
    AppConfig.Http http = config.server().http();
    String base = (config.security().tls().enabled() ? "https" : "http") + "://" + visible(http.host()) + ":" + http.port();
    List<String[]> lines = new ArrayList<>();
    if (frontendBuilt) {
      lines.add(new String[] {"web UI", base + "/"});
    }
    lines.add(new String[] {"API docs", config.monitoring().docsEnabled() ? base + "/docs" : "off (monitoring.docs.enabled)"});
    lines.add(new String[] {"OpenAPI", base + "/openapi.yaml"});
    lines.add(new String[] {"health", base + "/healthz"});
    if (config.monitoring().metrics().enabled()) {
      lines.add(new String[] {"metrics", base + config.monitoring().metrics().path()});
    }
    AppConfig.Grpc grpc = config.server().grpc();
    lines.add(new String[] {"gRPC", visible(grpc.host()) + ":" + grpc.port() + " (plaintext, reflection on)"});
    return lines;
  }

  /** The browser frontend is served when a directory is configured or the jar carries the build. */
  static boolean frontendBuilt(AppConfig config) {
    ClassLoader loader = Banner.class.getClassLoader();
    return config.server().http().frontendDir() != null || loader.getResource("webroot/index.html") != null;
  }

  /** A wildcard address is not something to type into a browser. */
  private static String visible(String host) {
    return AppConfig.wildcardHost(host) ? "localhost" : host;
  }
}
