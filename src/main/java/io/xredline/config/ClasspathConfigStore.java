package io.xredline.config;

import io.vertx.config.spi.ConfigStore;
import io.vertx.config.spi.ConfigStoreFactory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.io.FileNotFoundException;
import java.io.InputStream;

/**
 * A vertx-config store ({@code type: classpath}) that reads only from inside the jar. The stock
 * file store prefers a same-named file in the working directory, which would let {@code ./conf}
 * silently replace the shipped defaults instead of layering over them.
 */
public final class ClasspathConfigStore implements ConfigStoreFactory {
  public static final String TYPE = "classpath";

  @Override
  public String name() {
    return TYPE;
  }

  @Override
  public ConfigStore create(Vertx vertx, JsonObject configuration) {
    String resource = configuration.getString("path");
    return new ConfigStore() {
      @Override
      public Future<Buffer> get() {
        return vertx.executeBlocking(() -> {
          try (InputStream in = ClasspathConfigStore.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
              throw new FileNotFoundException("classpath:" + resource);
            }
            return Buffer.buffer(in.readAllBytes());
          }
        });
      }

      @Override
      public Future<Void> close() {
        return Future.succeededFuture();
      }
    };
  }
}
