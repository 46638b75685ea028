package io.xredline.scripts;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/** scripts/lib/node-engines.cjs: the early "this Node.js is too old" check of the image build and scripts/run. */
@DisplayName("The Node.js version check reads package.json engines.node the way npm does")
class NodeEnginesCheckTest {
  private static final Path SCRIPT = Path.of("scripts", "lib", "node-engines.cjs").toAbsolutePath();

  @TempDir
  static Path dir;

  @BeforeAll
  static void needsNode() {
    assumeThat(ScriptPortabilityTest.onPath("node")).as("node installed").isTrue();
  }

  private record Result(int exit, String stderr) {
  }

  private static Result check(String range, String version) throws Exception {
    Path pkg = Files.createTempFile(dir, "package", ".json");
    Files.writeString(pkg, range == null ? "{\"name\":\"x\"}" : "{\"name\":\"x\",\"engines\":{\"node\":\"" + range + "\"}}");
    Process p = new ProcessBuilder("node", SCRIPT.toString(), pkg.toString(), "--node-version", version)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), err);
  }

  @ParameterizedTest(name = "\"{0}\" with {1} -> {2}")
  @CsvSource(delimiter = ';', value = {
      ">=20.19 ; 20.19.0 ; 0",
      ">=20.19 ; v20.20.2 ; 0",
      ">=20.19 ; 22.1.0 ; 0",
      ">=20.19 ; 20.18.3 ; 1",
      ">=20.19 ; 18.20.4 ; 1",
      "^20.19.0 || >=22.12.0 ; 20.19.5 ; 0",
      "^20.19.0 || >=22.12.0 ; 21.7.0 ; 1",
      "^20.19.0 || >=22.12.0 ; 22.11.0 ; 1",
      "^20.19.0 || >=22.12.0 ; 22.12.0 ; 0",
      "~20.19 ; 20.19.9 ; 0",
      "~20.19 ; 20.20.0 ; 1",
      "20.x ; 20.0.1 ; 0",
      "20.x ; 21.0.0 ; 1",
      ">=18 <21 ; 20.5.0 ; 0",
      ">=18 <21 ; 21.0.0 ; 1",
      "18 - 20 ; 20.9.0 ; 0",
      "18 - 20 ; 21.0.0 ; 1",
      "* ; 10.0.0 ; 0",
      "> 20 ; 20.9.0 ; 1",
      "> 20 ; 21.0.0 ; 0",
  })
  @DisplayName("ranges")
  void ranges(String range, String version, int exit) throws Exception {
    assertThat(check(range, version).exit()).isEqualTo(exit);
  }

  @Test
  @DisplayName("too old: one line naming the version, the range and the way out")
  void message() throws Exception {
    Result r = check(">=20.19", "18.19.1");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.stderr().strip()).doesNotContain("\n")
        .contains("Node.js 18.19.1", "engines.node \">=20.19\"", "FRONTEND_IMAGE=node:20-bookworm-slim");
  }

  @Test
  @DisplayName("no engines field, nothing to check; the real frontend/package.json is met by this machine's node")
  void noEnginesAndThisMachine() throws Exception {
    assertThat(check(null, "10.0.0").exit()).isZero();
    Process p = new ProcessBuilder("node", SCRIPT.toString(), "frontend/package.json").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }
}
