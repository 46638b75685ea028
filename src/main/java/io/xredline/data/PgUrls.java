package io.xredline.data;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
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

  public static Jdbc jdbc(String url) {
    URI uri = URI.create(url);
    Properties props = new Properties();
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      props.setProperty("user", decode(colon < 0 ? userInfo : userInfo.substring(0, colon)));
      if (colon >= 0) {
        props.setProperty("password", decode(userInfo.substring(colon + 1)));
      }
    }
    int port = uri.getPort() < 0 ? 5432 : uri.getPort();
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/postgres" : uri.getRawPath();
    String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
    return new Jdbc("jdbc:postgresql://" + uri.getHost() + ":" + port + path + query, props);
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

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
