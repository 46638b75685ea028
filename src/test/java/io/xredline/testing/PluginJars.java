package io.xredline.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Plugin jars made in a test the way a plugin author's build makes them: the classes of one
 * package and a {@code META-INF/services/io.xredline.plugins.Plugin} naming the provider. The
 * classes are on the test class path too, but without a services file there nothing finds them.
 */
public final class PluginJars {
  private PluginJars() {
  }

  /** Writes {@code dir/<name>.jar} with every class of {@code provider}'s package. */
  public static Path build(Path dir, String name, Class<?> provider) {
    try {
      Path root = Path.of(provider.getProtectionDomain().getCodeSource().getLocation().toURI());
      String pkg = provider.getPackageName().replace('.', '/');
      Path jar = dir.resolve(name + ".jar");
      Files.createDirectories(dir);
      try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
           Stream<Path> classes = Files.list(root.resolve(pkg))) {
        out.putNextEntry(new JarEntry("META-INF/services/io.xredline.plugins.Plugin"));
        out.write((provider.getName() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        out.closeEntry();
        for (Path c : (Iterable<Path>) classes.filter(p -> p.toString().endsWith(".class"))::iterator) {
          out.putNextEntry(new JarEntry(pkg + "/" + c.getFileName()));
          out.write(Files.readAllBytes(c));
          out.closeEntry();
        }
      }
      return jar;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Copies a jar the Maven build made (target/plugins/xredline-<name>.jar) into {@code dir}. */
  public static Path built(Path dir, String name) {
    Path jar = Path.of("target", "plugins", "xredline-" + name + ".jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: the sample plugins are packed by `mvn package`");
    }
    try {
      Files.createDirectories(dir);
      return Files.copy(jar, dir.resolve(jar.getFileName()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
