package io.xredline.testing;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.xredline.app.Application;
import io.xredline.app.RunningApp;
import io.xredline.config.AppConfig;
import io.xredline.config.ConfigLoader;
import io.xredline.config.ConfigParser;
import io.xredline.config.ConfigWatch;
import io.xredline.observability.Telemetry;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The whole service started in-process on free ports, configured through the real loader
 * (overrides enter as {@code -Dxredline.*} properties), on a fresh database and key prefix.
 */
public final class TestApp implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final RunningApp app;
  private final AppConfig config;
  private final String databaseUrl;
  private final boolean ownsDatabase;
  private ConfigWatch watch;

  private TestApp(RunningApp app, AppConfig config, String databaseUrl, boolean ownsDatabase) {
    this.app = app;
    this.config = config;
    this.databaseUrl = databaseUrl;
    this.ownsDatabase = ownsDatabase;
  }

  public static Map<String, String> defaults(String hint) {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("server.http.port", String.valueOf(TestBackends.freePort()));
    o.put("server.grpc.port", String.valueOf(TestBackends.freePort()));
    o.put("server.http.host", "127.0.0.1");
    o.put("server.grpc.host", "127.0.0.1");
    o.put("server.http.instances", "2");
    o.put("server.grpc.instances", "1");
    o.put("server.shutdown_timeout", "5s");
    o.putAll(TestBackends.redisOverrides());
    o.put("data.redis.key_prefix", TestBackends.freshKeyPrefix(hint));
    // every test client is 127.0.0.1: the suite's own traffic would trip the per-address limits;
    // the rate-limit tests turn them on
    o.put("security.rate_limit.enabled", "false");
    return o;
  }

  public static TestApp start(String hint) {
    return start(hint, Map.of());
  }

  /** {@code overrides} are dotted config paths; a {@code data.database.url} there is used as is. */
  public static TestApp start(String hint, Map<String, String> overrides) {
    return start(hint, overrides, Telemetry::create);
  }

  /** As {@link #start(String, Map)} with the app's metrics/tracing built by {@code telemetry} (e.g. an in-memory span exporter). */
  public static TestApp start(String hint, Map<String, String> overrides, Function<AppConfig, Telemetry> telemetry) {
    Map<String, String> all = defaults(hint);
    if (overrides.containsKey("data.redis.mode")) {
      // a test that picks its own Redis topology brings its endpoints; the default URL would contradict them
      all.keySet().removeIf(k -> k.startsWith("data.redis.") && !k.equals("data.redis.key_prefix"));
    }
    all.putAll(overrides);
    boolean owns = !all.containsKey("data.database.url");
    if (owns) {
      all.put("data.database.url", TestBackends.freshDatabase(hint));
    }
    AppConfig config = config(all);
    RunningApp app = await(Application.start(config, telemetry.apply(config)).toCompletionStage().toCompletableFuture());
    return new TestApp(app, config, all.get("data.database.url"), owns);
  }

  /**
   * Like {@link #start(String, Map)} with {@code files} as {@code --conf} layers (under the
   * overrides) and the hot reload Main runs, polling every 100 ms: rewriting a file changes what
   * reloads (log.level, features, security.rate_limit) without a restart.
   */
  public static TestApp startWatching(String hint, Map<String, String> overrides, List<Path> files) {
    Map<String, String> all = defaults(hint);
    // a property outranks every file: the files alone decide about limits here
    all.remove("security.rate_limit.enabled");
    all.putAll(overrides);
    boolean owns = !all.containsKey("data.database.url");
    if (owns) {
      all.put("data.database.url", TestBackends.freshDatabase(hint));
    }
    ConfigLoader.Sources sources = new ConfigLoader.Sources("test", files, Map.of(), properties(all));
    AppConfig config = config(sources);
    RunningApp app = await(Application.start(config).toCompletionStage().toCompletableFuture());
    TestApp test = new TestApp(app, config, all.get("data.database.url"), owns);
    test.watch = await(ConfigWatch.start(app.vertx(), sources, config, Duration.ofMillis(100), (previous, next) -> { })
        .toCompletionStage().toCompletableFuture());
    return test;
  }

  public static AppConfig config(Map<String, String> overrides) {
    return config(new ConfigLoader.Sources("test", List.of(), Map.of(), properties(overrides)));
  }

  private static Properties properties(Map<String, String> overrides) {
    Properties props = new Properties();
    overrides.forEach((k, v) -> props.setProperty("xredline." + k, v));
    return props;
  }

  private static AppConfig config(ConfigLoader.Sources sources) {
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject tree = await(ConfigLoader.load(vertx, sources).toCompletionStage().toCompletableFuture());
      return ConfigParser.parse(tree, "test");
    } finally {
      vertx.close();
    }
  }

  private static <T> T await(java.util.concurrent.CompletableFuture<T> future) {
    try {
      return future.get(90, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("test app did not start: " + e.getMessage(), e);
    }
  }

  public RunningApp app() {
    return app;
  }

  public AppConfig config() {
    return config;
  }

  public String databaseUrl() {
    return databaseUrl;
  }

  public int httpPort() {
    return config.server().http().port();
  }

  public int grpcPort() {
    return config.server().grpc().port();
  }

  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + httpPort() + path);
  }

  public HttpResponse<String> get(String path, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20)).GET();
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b.build());
  }

  public HttpResponse<String> post(String path, String contentType, String body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b.build());
  }

  /**
   * Sends and checks the answer against openapi.yaml (status, media type, body schema): every
   * request any test makes through here doubles as a check that the description is true.
   */
  public static HttpResponse<String> send(HttpRequest request) {
    HttpResponse<String> response;
    try {
      response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(request.method() + " " + request.uri() + ": " + e, e);
    }
    List<String> problems = OpenApiContract.get().check(request.method(), request.uri(), response.statusCode(),
        name -> response.headers().firstValue(name), response.body());
    if (!problems.isEmpty()) {
      throw new AssertionError("the response does not match src/main/resources/openapi/openapi.yaml:\n  "
          + String.join("\n  ", problems));
    }
    return response;
  }

  public static JsonObject json(HttpResponse<String> response) {
    return new JsonObject(response.body());
  }

  @Override
  public void close() {
    if (watch != null) {
      app.vertx().runOnContext(v -> watch.stop());
    }
    try {
      app.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("test app did not stop: " + e.getMessage(), e);
    } finally {
      if (ownsDatabase) {
        TestBackends.dropDatabase(databaseUrl);
      }
    }
  }
}
