package io.xredline.config;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Run in a child JVM by {@link WorkingDirectoryLayerTest}: loads configuration exactly as the launcher
 * does ({@link ConfigLoader.Sources#system}) from the child's working directory, environment and
 * system properties, and writes what it got as JSON.
 * Arguments: output file, {@code --env} value or {@code -} for none, then the {@code --conf} files.
 */
public final class ConfigLoadProbe {
  private ConfigLoadProbe() {
  }

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]);
    String envFlag = "-".equals(args[1]) ? null : args[1];
    var confFlags = Arrays.stream(args, 2, args.length).map(Path::of).toList();
    JsonObject result = new JsonObject();
    Vertx vertx = Vertx.vertx();
    try {
      ConfigLoader.Sources sources = ConfigLoader.Sources.system(envFlag, confFlags);
      result.put("env", sources.env())
          .put("files", new JsonArray(sources.files().stream().map(Path::toString).toList()));
      result.put("config", ConfigLoader.load(vertx, sources).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS));
    } catch (Exception e) {
      result.put("error", String.valueOf(e));
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    Files.writeString(out, result.encodePrettily());
  }
}
