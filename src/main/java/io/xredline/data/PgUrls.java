package io.xredline.data;

import io.vertx.pgclient.PgConnectOptions;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** Translates the one URL form operators write ({@code postgresql://u:p@h:5432/db?sslmode=…}) for JDBC and Vert.x. */
public final class PgUrls {
  private PgUrls() {
  }

  /** JDBC URL plus user/password properties, for Flyway. */
  public record Jdbc(String url, Properties properties) {
  }

  /**
   * The same server, database and credentials the pool uses ({@link PgConnectOptions#fromUri} reads
   * the URL for both, with Vert.x's defaults for what it leaves out), with the URL's own query
   * (sslmode …) passed to the JDBC driver as is.
   */
  public static Jdbc jdbc(String url) {
    PgConnectOptions options = connectOptions(url);
    Properties props = new Properties();
    props.setProperty("user", options.getUser());
    props.setProperty("password", options.getPassword());
    URI uri = URI.create(url);
    String host = options.getHost().contains(":") ? "[" + options.getHost() + "]" : options.getHost();
    String path = uri.getRawPath() == null || uri.getRawPath().length() <= 1 ? "/" + options.getDatabase() : uri.getRawPath();
    String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
    return new Jdbc("jdbc:postgresql://" + host + ":" + options.getPort() + path + query, props);
  }

  static PgConnectOptions connectOptions(String url) {
    return PgConnectOptions.fromUri(withoutQueryNoise(url));
  }

  /** Vert.x accepts sslmode but rejects unknown libpq parameters; keep only the ones it knows. */
  static String withoutQueryNoise(String url) {
    URI uri = URI.create(url);
    if (uri.getRawQuery() == null) {
      return url;
    }
    List<String> kept = new ArrayList<>();
    for (String param : uri.getRawQuery().split("&")) {
      String key = param.split("=", 2)[0];
      if (key.equals("sslmode") || key.equals("application_name") || key.equals("search_path")) {
        kept.add(param);
      }
    }
    String base = url.substring(0, url.indexOf('?'));
    return kept.isEmpty() ? base : base + "?" + String.join("&", kept);
  }
}
