package io.xredline.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The OpenAPI document (the maintained source is {@code src/main/resources/openapi/openapi.yaml}),
 * as YAML and as the JSON derived from it, plus where Swagger UI's files are in its webjar. Read
 * from the classpath once per process, on a worker thread: the event loop never touches a file.
 */
public record ApiDescription(String yaml, String json, String yamlEtag, String jsonEtag, String swaggerUiRoot) {
  public static final String RESOURCE = "openapi/openapi.yaml";
  static final String SWAGGER_UI_POM = "META-INF/maven/org.webjars/swagger-ui/pom.properties";
  static final String SWAGGER_UI_PREFIX = "META-INF/resources/webjars/swagger-ui/";

  private static volatile ApiDescription cached;
  /** The read in progress, per Vert.x instance (a future stays bound to the instance that made it). */
  private static final Map<Vertx, Future<ApiDescription>> READING = new HashMap<>();

  /**
   * Every HTTP verticle instance shares one read, and a read begun early ({@link
   * HttpServerVerticle#prepare}) is joined rather than repeated: a cold YAML parse of the document
   * takes most of a second, which the listener would otherwise wait for. The value is cached
   * across instances of Vert.x (a process may run several, tests do); the future only per instance.
   */
  static Future<ApiDescription> load(Vertx vertx) {
    ApiDescription known = cached;
    if (known != null) {
      return Future.succeededFuture(known);
    }
    synchronized (READING) {
      Future<ApiDescription> reading = READING.get(vertx);
      if (reading == null) {
        reading = vertx.executeBlocking(() -> {
          ApiDescription read = read();
          cached = read;
          return read;
        }, false);
        READING.put(vertx, reading);
        // once read, the cached value serves; a failed read is tried again by the next caller
        reading.onComplete(done -> {
          synchronized (READING) {
            READING.remove(vertx);
          }
        });
      }
      return reading;
    }
  }

  /** Blocking: reads the document and the webjar's version from the classpath. */
  public static ApiDescription read() {
    String yaml = new String(resource(RESOURCE), StandardCharsets.UTF_8);
    JsonObject tree = parse(yaml);
    String json = tree.encodePrettily();
    return new ApiDescription(yaml, json, etag(yaml), etag(json), findSwaggerUi());
  }

  /** The document as a JSON tree; YAML timestamps stay the strings they were written as. */
  public static JsonObject parse(String yaml) {
    Object tree = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    if (!(tree instanceof Map<?, ?>)) {
      throw new IllegalStateException(RESOURCE + " is not a YAML mapping");
    }
    return (JsonObject) toJson(tree);
  }

  private static Object toJson(Object node) {
    if (node instanceof Map<?, ?> map) {
      JsonObject object = new JsonObject();
      map.forEach((k, v) -> object.put(String.valueOf(k), toJson(v)));
      return object;
    }
    if (node instanceof List<?> list) {
      JsonArray array = new JsonArray();
      list.forEach(item -> array.add(toJson(item)));
      return array;
    }
    if (node instanceof Date date) {
      return date.toInstant().toString();
    }
    return node;
  }

  /** Null when the webjar is missing: /docs then answers 404 instead of a broken page. */
  private static String findSwaggerUi() {
    ClassLoader loader = ApiDescription.class.getClassLoader();
    try (InputStream in = loader.getResourceAsStream(SWAGGER_UI_POM)) {
      if (in == null) {
        return null;
      }
      Properties pom = new Properties();
      pom.load(in);
      String root = SWAGGER_UI_PREFIX + pom.getProperty("version");
      return loader.getResource(root + "/swagger-ui-bundle.js") == null ? null : root;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] resource(String name) {
    try (InputStream in = ApiDescription.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("classpath:" + name + " is missing from the build");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String etag(String body) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8));
      return "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 22) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
