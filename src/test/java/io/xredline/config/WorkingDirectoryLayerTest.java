package io.xredline.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code ./conf/config-<env>.yaml} layer is resolved against the working directory, which a JVM
 * cannot change for itself, and the repository's own {@code ./conf} is byte-for-byte the jar's. So
 * one child JVM runs {@link ConfigLoadProbe} in a temporary directory with its own {@code ./conf},
 * environment and {@code -D} properties, through the launcher's {@link ConfigLoader.Sources#system}.
 */
@DisplayName("the ./conf layer and the launcher's real environment, XREDLINE_CONFIG and -D sources")
class WorkingDirectoryLayerTest {
  @TempDir
  static Path workDir;

  private static JsonObject probe;
  private static JsonObject config;

  @BeforeAll
  static void runProbeInChildJvm() throws Exception {
    Files.createDirectories(workDir.resolve("conf"));
    Files.writeString(workDir.resolve("conf/config-test.yaml"), """
        server:
          http:
            port: 8111
            host: 10.0.0.1
        log:
          level: debug
        """);
    Files.writeString(workDir.resolve("a.yaml"), """
        server:
          http:
            host: 10.0.0.2
        cluster:
          host: 10.0.1.1
          port: 5801
        """);
    Files.writeString(workDir.resolve("b.yaml"), "cluster:\n  host: 10.0.1.2\n  port: 5802\n");
    Files.writeString(workDir.resolve("c.yaml"), "cluster:\n  port: 5803\nserver:\n  grpc:\n    port: 9100\n");
    Path out = workDir.resolve("probe.json");
    Path log = workDir.resolve("probe.log");

    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-Xmx128m",
        "-Dxredline.server.grpc.host=127.0.0.3",
        "-cp", classpath,
        ConfigLoadProbe.class.getName(), out.toString(), "-", "c.yaml"));
    ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    // The child's own environment: nothing inherited can leak into the layers under test.
    Map<String, String> env = pb.environment();
    String path = env.get("PATH");
    env.clear();
    env.put("PATH", path == null ? "/usr/bin:/bin" : path);
    env.put("HOME", System.getProperty("user.home"));
    env.put("XREDLINE_ENV", " Test ");
    env.put("XREDLINE_CONFIG", "a.yaml, b.yaml");
    env.put("XREDLINE_SERVER__GRPC__PORT", "9111");
    env.put("XREDLINE_SERVER__GRPC__HOST", "127.0.0.9");

    Process process = pb.start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("config probe did not finish in 60 s; output:\n" + Files.readString(log));
    }
    assertThat(out).as("probe output; child log:\n%s", Files.exists(log) ? Files.readString(log) : "").exists();
    probe = new JsonObject(Files.readString(out));
    assertThat(probe.getString("error")).as("probe error").isNull();
    config = probe.getJsonObject("config");
  }

  private static Object at(String dottedPath) {
    Object node = config;
    for (String key : dottedPath.split("\\.")) {
      node = ((JsonObject) node).getValue(key);
    }
    return node;
  }

  @Test
  @DisplayName("XREDLINE_ENV selects the environment, trimmed and lower-cased")
  void environmentFromVariable() {
    assertThat(probe.getString("env")).isEqualTo("test");
  }

  @Test
  @DisplayName("XREDLINE_CONFIG files (comma-separated) come before the --conf files")
  void confFileOrder() {
    assertThat(probe.getJsonArray("files")).isEqualTo(new JsonArray().add("a.yaml").add("b.yaml").add("c.yaml"));
  }

  @Test
  @DisplayName("./conf/config-<env>.yaml in the working directory is read")
  void workingDirectoryFileIsRead() {
    assertThat(at("server.http.port")).as("jar default is 8000").isEqualTo(8111);
  }

  @Test
  @DisplayName("./conf wins over the jar's config-<env>.yaml, which still applies underneath")
  void workingDirectoryLayersOverJarEnvFile() {
    assertThat(at("log.level")).as("jar config-test.yaml says warn").isEqualTo("debug");
    assertThat(at("auth.jwt.secret_key")).isEqualTo(ConfigLoaderTest.TEST_SECRET);
    assertThat(at("auth.captcha.fixed_code")).isEqualTo("123456");
    assertThat(at("server.grpc.instances")).as("jar config.yaml still underneath").isEqualTo(0);
  }

  @Test
  @DisplayName("files named by XREDLINE_CONFIG win over ./conf; a later file wins; --conf files win over them")
  void confFilesWinInOrder() {
    assertThat(at("server.http.host")).isEqualTo("10.0.0.2");
    assertThat(at("cluster.host")).isEqualTo("10.0.1.2");
    assertThat(at("cluster.port")).isEqualTo(5803);
  }

  @Test
  @DisplayName("XREDLINE_A__B variables from the real environment win over files; -D properties win over them")
  void realEnvironmentAndProperties() {
    assertThat(at("server.grpc.port")).isEqualTo("9111");
    assertThat(at("server.grpc.host")).isEqualTo("127.0.0.3");
  }

  @Test
  @DisplayName("an explicit --env wins over XREDLINE_ENV, and --conf files are kept in order")
  void envFlagWins() {
    Path conf = Path.of("x.yaml");

    ConfigLoader.Sources sources = ConfigLoader.Sources.system(" PROD ", List.of(conf));

    assertThat(sources.env()).isEqualTo("prod");
    assertThat(sources.files()).endsWith(conf);
    assertThat(sources.environment()).isSameAs(System.getenv());
    assertThat(sources.properties()).isSameAs(System.getProperties());
  }
}
