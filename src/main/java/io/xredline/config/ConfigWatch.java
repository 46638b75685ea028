package io.xredline.config;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * Hot reload (CONTRACT §2): watches the file layers ({@code ./conf/config-<env>.yaml}, {@code --conf}
 * files) and, when one changes, loads and validates the whole configuration again. Changes to
 * {@code log.level}, {@code features} and {@code security.rate_limit} are applied: listeners get
 * the new config and {@link #CHANGED} is published with the new {@code features} and
 * {@code rate_limit}. Any other changed key is logged as needing a restart; an invalid file is
 * logged and ignored, the running configuration stays.
 */
public final class ConfigWatch {
  /**
   * Local publish after an applied reload: {@code {"log_level", "features", "rate_limit"}}, the last
   * being the {@code security.rate_limit} section as in the files (read with {@link ConfigParser#rateLimit}).
   */
  public static final String CHANGED = "xredline.config.changed";
  private static final Logger LOG = LoggerFactory.getLogger(ConfigWatch.class);
  private static final List<String> HOT = List.of("log.level", "features", "security.rate_limit");

  private final Vertx vertx;
  private final ConfigLoader.Sources sources;
  private final BiConsumer<AppConfig, AppConfig> onApplied;
  private final List<Path> files = new ArrayList<>();
  private volatile AppConfig current;
  private JsonObject currentTree;
  private List<String> stamps;
  private long timer = -1;
  private boolean loading;

  private ConfigWatch(Vertx vertx, ConfigLoader.Sources sources, AppConfig initial,
                      BiConsumer<AppConfig, AppConfig> onApplied) {
    this.vertx = vertx;
    this.sources = sources;
    this.current = initial;
    this.onApplied = onApplied;
    files.add(Path.of("conf", "config-" + sources.env() + ".yaml").toAbsolutePath());
    for (Path f : sources.files()) {
      files.add(f.toAbsolutePath());
    }
  }

  /** Starts polling every {@code period}; {@code onApplied(previous, next)} runs on a Vert.x thread. */
  public static Future<ConfigWatch> start(Vertx vertx, ConfigLoader.Sources sources, AppConfig initial, Duration period,
                                          BiConsumer<AppConfig, AppConfig> onApplied) {
    ConfigWatch watch = new ConfigWatch(vertx, sources, initial, onApplied);
    return ConfigLoader.load(vertx, sources)
        .compose(tree -> vertx.executeBlocking(watch::stamps).map(s -> {
          watch.currentTree = tree;
          watch.stamps = s;
          watch.timer = vertx.setPeriodic(period.toMillis(), id -> watch.tick());
          return watch;
        }));
  }

  public AppConfig current() {
    return current;
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  private List<String> stamps() {
    List<String> out = new ArrayList<>();
    for (Path f : files) {
      try {
        out.add(Files.exists(f) ? Files.getLastModifiedTime(f).toMillis() + ":" + Files.size(f) : "absent");
      } catch (java.io.IOException e) {
        out.add("unreadable");
      }
    }
    return out;
  }

  private void tick() {
    if (loading) {
      return;
    }
    loading = true;
    vertx.executeBlocking(this::stamps)
        .compose(now -> {
          if (now.equals(stamps)) {
            return Future.succeededFuture();
          }
          stamps = now;
          return ConfigLoader.load(vertx, sources).onSuccess(this::reload);
        })
        .onFailure(e -> LOG.warn("configuration change ignored, keeping the running configuration: {}", e.getMessage()))
        .onComplete(ar -> loading = false);
  }

  private void reload(JsonObject tree) {
    AppConfig next;
    try {
      next = ConfigParser.parse(tree, sources.env());
    } catch (InvalidConfigException e) {
      LOG.warn("configuration change ignored ({} problems), keeping the running configuration: {}",
          e.violations().size(), e.violations());
      return;
    }
    TreeSet<String> changed = new TreeSet<>();
    diff("", currentTree, tree, changed);
    List<String> hot = new ArrayList<>();
    List<String> cold = new ArrayList<>();
    for (String key : changed) {
      (HOT.stream().anyMatch(h -> key.equals(h) || key.startsWith(h + ".")) ? hot : cold).add(key);
    }
    if (!cold.isEmpty()) {
      LOG.warn("configuration keys changed that need a restart to apply: {}", cold);
    }
    currentTree = tree;
    if (hot.isEmpty()) {
      return;
    }
    AppConfig previous = current;
    current = next;
    LOG.info("configuration reloaded: {}", hot);
    onApplied.accept(previous, next);
    vertx.eventBus().publish(CHANGED, new JsonObject()
        .put("log_level", next.log().level())
        .put("features", next.features() == null ? new JsonObject() : next.features())
        .put("rate_limit", rateLimitSection(tree)),
        new DeliveryOptions().setLocalOnly(true));
  }

  /** {@code security.rate_limit} as the merged files have it; {@link ConfigParser#rateLimit} reads it. */
  private static JsonObject rateLimitSection(JsonObject tree) {
    JsonObject security = tree.getValue("security") instanceof JsonObject o ? o : new JsonObject();
    return security.getValue("rate_limit") instanceof JsonObject r ? r.copy() : new JsonObject();
  }

  /** Dotted paths whose values differ; secrets are compared, never printed (only their key is). */
  static void diff(String prefix, JsonObject before, JsonObject after, TreeSet<String> out) {
    TreeSet<String> keys = new TreeSet<>(before.fieldNames());
    keys.addAll(after.fieldNames());
    for (String key : keys) {
      Object a = before.getValue(key);
      Object b = after.getValue(key);
      String path = prefix.isEmpty() ? key : prefix + "." + key;
      if (a instanceof JsonObject ja && b instanceof JsonObject jb) {
        diff(path, ja, jb, out);
      } else if (!Objects.equals(a, b)) {
        out.add(path);
      }
    }
  }
}
