package io.xredline.data;

import io.xredline.testing.TestBackends;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/** The packaged jar: which platforms it carries, and what a machine it lacks binaries for is told. */
@Tag("e2e")
@DisplayName("The fat jar carries the embedded binaries it was built for, and says so when it has none for this machine")
class EmbeddedJarTest {
  private static final Path JAR = Path.of("target", "xredline.jar").toAbsolutePath();

  /** failsafe passes the build's -Dembedded.platforms; outside Maven, the default. */
  private static Set<String> builtFor() {
    String value = System.getProperty("embedded.platforms", String.join(",", EmbeddedPlatform.ids()));
    return value.equals("none") ? Set.of() : Set.of(value.split(","));
  }

  @Test
  @DisplayName("the jar holds PostgreSQL and Redis for exactly the platforms in embedded.platforms")
  void carriesTheBuiltPlatforms() throws IOException {
    try (ZipFile jar = new ZipFile(JAR.toFile())) {
      for (EmbeddedPlatform p : EmbeddedPlatform.values()) {
        boolean expected = builtFor().contains(p.id());
        assertThat(jar.getEntry(p.postgresArchive()) != null).as(p.postgresArchive()).isEqualTo(expected);
        assertThat(jar.getEntry(p.redisExecutable()) != null).as(p.redisExecutable()).isEqualTo(expected);
      }
      List<String> redisFiles = jar.stream().map(e -> e.getName()).filter(n -> n.startsWith("redis-server-")).toList();
      assertThat(redisFiles).as("no Redis for platforms nobody asked for (linux-386)")
          .allMatch(n -> Arrays.stream(EmbeddedPlatform.values()).anyMatch(p -> p.redisExecutable().equals(n)));
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS) // copies and rewrites a ~180 MB jar, then starts a JVM
  @DisplayName("a jar slimmed without this machine's binaries exits 1 with one line naming the platform and the keys, before starting anything")
  void slimJarWithoutThisPlatform(@TempDir Path dir) throws Exception {
    EmbeddedPlatform here = EmbeddedPlatform.of(System.getProperty("os.name"), System.getProperty("os.arch")).orElse(null);
    assumeThat(here).as("this machine is one the jar can carry binaries for").isNotNull();
    assumeThat(builtFor()).as("the jar was built with this machine's binaries").contains(here.id());
    Path slim = dir.resolve("slim.jar");
    Files.copy(JAR, slim);
    try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + slim.toUri()), Map.of())) {
      Files.delete(zip.getPath(here.postgresArchive()));
      Files.delete(zip.getPath(here.redisExecutable()));
    }
    Path home = dir.resolve("home");
    Run run = run(slim, home, List.of());
    assertThat(run.exit).as(run.output).isEqualTo(1);
    String line = run.line("this jar has no embedded PostgreSQL and Redis for " + here.id());
    assertThat(line).contains("-Dembedded.platforms=", "data.database.url", "data.redis.url", "XREDLINE_DATA__DATABASE__URL=");
    assertThat(run.output).doesNotContain("\tat ");
    assertThat(home.resolve(".xredline")).as("nothing was started or created").doesNotExist();
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS) // a JVM start on a shared, loaded machine
  @DisplayName("on an unsupported platform (os.name=FreeBSD) the jar exits 1 with one line naming it and the keys")
  void unsupportedPlatform(@TempDir Path dir) throws Exception {
    Path home = dir.resolve("home");
    Run run = run(JAR, home, List.of("-Dos.name=FreeBSD", "-Dos.arch=amd64"));
    assertThat(run.exit).as(run.output).isEqualTo(1);
    String line = run.line("no embedded PostgreSQL and Redis for freebsd-amd64");
    assertThat(line).contains("os.name=FreeBSD", "linux-arm64", "darwin-arm64", "data.database.url", "data.redis.url");
    assertThat(home.resolve(".xredline")).doesNotExist();
  }

  private record Run(int exit, String output) {
    String line(String fragment) {
      List<String> lines = output.lines().filter(l -> l.contains(fragment)).toList();
      assertThat(lines).as("one line with '%s' in:%n%s", fragment, output).hasSize(1);
      return lines.get(0);
    }
  }

  /** No configuration at all, as a newcomer runs it: dev, embedded servers, a fresh home. */
  private static Run run(Path jar, Path home, List<String> jvmFlags) throws Exception {
    Files.createDirectories(home);
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-Duser.home=" + home));
    command.addAll(jvmFlags);
    command.addAll(List.of("-jar", jar.toString()));
    ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true);
    Path out = home.resolve("../output.log").normalize();
    builder.redirectOutput(out.toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("XREDLINE_"));
    env.put("HOME", home.toString());
    env.put("XREDLINE_SERVER__HTTP__HOST", "127.0.0.1");
    env.put("XREDLINE_SERVER__GRPC__HOST", "127.0.0.1");
    env.put("XREDLINE_SERVER__HTTP__PORT", String.valueOf(TestBackends.freePort()));
    env.put("XREDLINE_SERVER__GRPC__PORT", String.valueOf(TestBackends.freePort()));
    Process process = builder.start();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        throw new AssertionError("still running after 60 s:\n" + Files.readString(out, StandardCharsets.UTF_8));
      }
      return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } finally {
      process.destroyForcibly();
    }
  }
}
