package io.xredline.plugins;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * Finds plugins: {@link ServiceLoader} on the service's own class path, then every {@code *.jar}
 * in {@code plugins.directory}, each jar with a class loader of its own (so two plugins may bring
 * different versions of a library). Blocking (file I/O, class loading): call it on a worker.
 */
final class PluginCatalog {
  private static final Logger LOG = LoggerFactory.getLogger(PluginCatalog.class);

  /**
   * A plugin jar's own loader, jar first: its classes (and any library it bundles) win over the
   * service's, except the packages plugin and service must share — the JDK, Vert.x, Netty, the
   * logging and metrics APIs, and the plugin API ({@link Plugin}, {@link PluginsApi}). It also marks plugin code:
   * the bus guard recognises threads that carry one as their context class loader.
   */
  static final class PluginClassLoader extends URLClassLoader {
    private static final List<String> SHARED = List.of("java.", "javax.", "jdk.", "sun.", "com.sun.", "io.vertx.",
        "io.netty.", "org.slf4j.", "io.micrometer.", "com.fasterxml.jackson.", "io.xredline.plugins.Plugin");

    PluginClassLoader(String name, URL[] urls, ClassLoader parent) {
      super(name, urls, parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (SHARED.stream().anyMatch(name::startsWith)) {
        return super.loadClass(name, resolve);
      }
      synchronized (getClassLoadingLock(name)) {
        Class<?> c = findLoadedClass(name);
        if (c == null) {
          try {
            c = findClass(name);
          } catch (ClassNotFoundException e) {
            c = getParent().loadClass(name);
          }
        }
        if (resolve) {
          resolveClass(c);
        }
        return c;
      }
    }
  }

  /** {@code source}: "classpath" or the jar's file name; {@code loader} is a {@link PluginClassLoader}. */
  record Found(Plugin plugin, String source, ClassLoader loader) {
  }

  /** A plugin or jar that could not be loaded: listed with state {@code failed}. */
  record Broken(String name, String source, String problem) {
  }

  record Result(List<Found> found, List<Broken> broken) {
  }

  private PluginCatalog() {
  }

  static Result discover(Path directory) {
    List<Found> found = new ArrayList<>();
    List<Broken> broken = new ArrayList<>();
    ClassLoader own = PluginCatalog.class.getClassLoader();
    load(ServiceLoader.load(Plugin.class, own), null, "classpath", found, broken);
    for (Path jar : jars(directory, broken)) {
      try {
        PluginClassLoader loader = new PluginClassLoader("plugin:" + jar.getFileName(), new URL[] {jar.toUri().toURL()}, own);
        load(ServiceLoader.load(Plugin.class, loader), loader, jar.getFileName().toString(), found, broken);
      } catch (IOException e) {
        broken.add(new Broken(jar.getFileName().toString(), jar.getFileName().toString(), e.getMessage()));
      }
    }
    // classpath plugins still get a marker loader of their own, so their threads are recognisable
    List<Found> out = new ArrayList<>();
    for (Found f : found) {
      out.add(f.loader() != null ? f : new Found(f.plugin(), f.source(),
          new PluginClassLoader("plugin:" + f.plugin().name(), new URL[0], f.plugin().getClass().getClassLoader())));
    }
    return new Result(out, broken);
  }

  /** Only the providers this loader itself defines: the parent's (class-path) ones are found once, above. */
  private static void load(ServiceLoader<Plugin> loader, ClassLoader jarLoader, String source, List<Found> found,
                           List<Broken> broken) {
    var it = loader.iterator();
    while (true) {
      try {
        if (!it.hasNext()) {
          return;
        }
        Plugin plugin = it.next();
        if (jarLoader != null && plugin.getClass().getClassLoader() != jarLoader) {
          continue;
        }
        found.add(new Found(plugin, source, jarLoader));
      } catch (ServiceConfigurationError | LinkageError e) {
        LOG.warn("plugin in {} cannot be loaded: {}", source, e.getMessage());
        broken.add(new Broken(source, source, String.valueOf(e.getMessage())));
        if (e instanceof LinkageError) {
          return;
        }
      }
    }
  }

  private static List<Path> jars(Path directory, List<Broken> broken) {
    if (directory == null || !Files.isDirectory(directory)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(directory)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".jar") && Files.isRegularFile(f)).sorted().toList();
    } catch (IOException e) {
      broken.add(new Broken(directory.toString(), directory.toString(), "directory unreadable: " + e.getMessage()));
      return List.of();
    }
  }
}
