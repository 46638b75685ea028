package io.xredline.data;

import io.zonky.test.db.postgres.util.ArchUtils;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import redis.embedded.core.ExecutableProvider;
import redis.embedded.model.OsArchitecture;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("os.name/os.arch name the platform whose embedded binaries start")
class EmbeddedPlatformTest {

  @ParameterizedTest(name = "{0} / {1} -> {2}")
  @CsvSource({
      "Linux, amd64, linux-amd64",
      "Linux, x86_64, linux-amd64",
      "LINUX, AMD64, linux-amd64",
      "Linux, aarch64, linux-arm64",
      "Linux, arm64, linux-arm64",
      "Mac OS X, aarch64, darwin-arm64",
      "Mac OS X, x86_64, darwin-amd64",
      "Mac OS X, amd64, darwin-amd64",
      "Darwin, arm64, darwin-arm64",
      "Windows 11, amd64, windows-amd64",
      "Windows 10, amd64, windows-amd64",
      "Windows Server 2022, x86_64, windows-amd64",
  })
  @DisplayName("every supported os.name/os.arch spelling maps to its platform")
  void supported(String osName, String osArch, String id) {
    assertThat(EmbeddedPlatform.of(osName, osArch)).map(EmbeddedPlatform::id).contains(id);
  }

  @ParameterizedTest(name = "{0} / {1} -> unsupported ({2})")
  @CsvSource({
      "FreeBSD, amd64, freebsd-amd64",
      "SunOS, sparcv9, sunos-sparcv9",
      "AIX, ppc64, aix-ppc64",
      "Linux, ppc64le, linux-ppc64le",
      "Linux, s390x, linux-s390x",
      "Linux, riscv64, linux-riscv64",
      "Linux, arm, linux-arm",
      "Linux, x86, linux-x86",
      "Linux, i386, linux-i386",
      "Windows 11, aarch64, windows-arm64",
      "Windows 10, x86, windows-x86",
      "Mac OS X, ppc, darwin-ppc",
      "'', '', unknown-unknown",
  })
  @DisplayName("anything else has no platform, and is described for the error line")
  void unsupported(String osName, String osArch, String described) {
    assertThat(EmbeddedPlatform.of(osName, osArch)).isEmpty();
    assertThat(EmbeddedPlatform.describe(osName, osArch)).isEqualTo(described);
  }

  @Test
  @DisplayName("null properties are unsupported, not a crash")
  void nulls() {
    assertThat(EmbeddedPlatform.of(null, null)).isEmpty();
    assertThat(EmbeddedPlatform.describe(null, null)).isEqualTo("unknown-unknown");
  }

  // zonky asks for postgres-<os>-<arch>.txz with os Linux|Darwin|Windows (lower-cased) and
  // ArchUtils.normalize(os.arch, with amd64 read as x86_64): the archive named here must be that one
  private static final Map<EmbeddedPlatform, String[]> JVM_PROPERTIES = Map.of(
      EmbeddedPlatform.LINUX_AMD64, new String[] {"linux", "amd64"},
      EmbeddedPlatform.LINUX_ARM64, new String[] {"linux", "aarch64"},
      EmbeddedPlatform.DARWIN_AMD64, new String[] {"darwin", "x86_64"},
      EmbeddedPlatform.DARWIN_ARM64, new String[] {"darwin", "aarch64"},
      EmbeddedPlatform.WINDOWS_AMD64, new String[] {"windows", "amd64"});

  @ParameterizedTest
  @EnumSource(EmbeddedPlatform.class)
  @DisplayName("the PostgreSQL archive is the one zonky's own resolver would look up")
  void postgresArchiveAgreesWithZonky(EmbeddedPlatform platform) {
    String[] props = JVM_PROPERTIES.get(platform);
    String arch = ArchUtils.normalize(props[1].equals("amd64") ? "x86_64" : props[1]);
    assertThat(platform.postgresArchive()).isEqualTo("postgres-" + props[0] + "-" + arch + ".txz");
  }

  @ParameterizedTest
  @EnumSource(EmbeddedPlatform.class)
  @DisplayName("the Redis executable is the one embedded-redis bundles for that platform")
  void redisExecutableAgreesWithEmbeddedRedis(EmbeddedPlatform platform) {
    OsArchitecture key = switch (platform) {
      case LINUX_AMD64 -> OsArchitecture.UNIX_x86_64;
      case LINUX_ARM64 -> OsArchitecture.UNIX_AARCH64;
      case DARWIN_AMD64 -> OsArchitecture.MAC_OS_X_x86_64;
      case DARWIN_ARM64 -> OsArchitecture.MAC_OS_X_ARM64;
      case WINDOWS_AMD64 -> OsArchitecture.WINDOWS_x86_64;
    };
    assertThat(ExecutableProvider.newProvidedVersionsMap().get(key)).isEqualTo("/" + platform.redisExecutable());
  }

  @Test
  @DisplayName("platform ids are the ones the build property takes")
  void ids() {
    assertThat(EmbeddedPlatform.ids())
        .containsExactly("linux-amd64", "linux-arm64", "darwin-amd64", "darwin-arm64", "windows-amd64");
  }
}
