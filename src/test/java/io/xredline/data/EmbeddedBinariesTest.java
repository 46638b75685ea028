package io.xredline.data;

import io.xredline.config.AppConfig;
import io.xredline.testing.TestApp;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.MalformedURLException;
import java.net.URL;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("The embedded binaries for this machine are found, or one line says what to do")
class EmbeddedBinariesTest {
  private static final ClassLoader LOADER = EmbeddedBinariesTest.class.getClassLoader();

  /** A jar built with -Dembedded.platforms=…: only these platforms' two files resolve. */
  private static Function<String, URL> jarWith(EmbeddedPlatform... kept) {
    Map<String, URL> files = new HashMap<>();
    for (EmbeddedPlatform p : kept) {
      files.put(p.postgresArchive(), url(p.postgresArchive()));
      files.put(p.redisExecutable(), url(p.redisExecutable()));
    }
    return files::get;
  }

  private static URL url(String name) {
    try {
      return new URL("file:/fake-jar/" + name);
    } catch (MalformedURLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String[] jvm(EmbeddedPlatform p) {
    return switch (p) {
      case LINUX_AMD64 -> new String[] {"Linux", "amd64"};
      case LINUX_ARM64 -> new String[] {"Linux", "aarch64"};
      case DARWIN_AMD64 -> new String[] {"Mac OS X", "x86_64"};
      case DARWIN_ARM64 -> new String[] {"Mac OS X", "aarch64"};
      case WINDOWS_AMD64 -> new String[] {"Windows 11", "amd64"};
    };
  }

  @ParameterizedTest
  @EnumSource(EmbeddedPlatform.class)
  @DisplayName("the default build's class path carries PostgreSQL and Redis for every shipped platform")
  void everyPlatformShipped(EmbeddedPlatform platform) {
    String[] props = jvm(platform);
    EmbeddedBinaries.Selection s = new EmbeddedBinaries(props[0], props[1], LOADER::getResource).select(true, true);
    assertThat(s.platform()).isEqualTo(platform);
    assertThat(s.postgres()).hasValueSatisfying(u -> assertThat(u.toString()).endsWith("/" + platform.postgresArchive()));
    assertThat(s.redis()).hasValueSatisfying(u -> assertThat(u.toString()).endsWith("/" + platform.redisExecutable()));
    assertThat(new EmbeddedBinaries(props[0], props[1], LOADER::getResource).carried())
        .containsExactlyElementsOf(EmbeddedPlatform.ids());
  }

  @Test
  @DisplayName("only the servers asked for are looked up")
  void onlyWhatIsNeeded() {
    EmbeddedBinaries binaries = new EmbeddedBinaries("Linux", "amd64", jarWith(EmbeddedPlatform.LINUX_AMD64));
    EmbeddedBinaries.Selection redisOnly = binaries.select(false, true);
    assertThat(redisOnly.postgres()).isEmpty();
    assertThat(redisOnly.redis()).isPresent();
  }

  @Test
  @DisplayName("a slim jar without this machine's binaries names the platform, the build flag and both keys, in one line")
  void slimJar() {
    EmbeddedBinaries binaries = new EmbeddedBinaries("Mac OS X", "aarch64", jarWith(EmbeddedPlatform.LINUX_AMD64));
    assertThatThrownBy(() -> binaries.select(true, true))
        .isInstanceOf(EmbeddedBinaries.Unavailable.class)
        .hasMessage("this jar has no embedded PostgreSQL and Redis for darwin-arm64 (it was built with "
            + "-Dembedded.platforms=linux-amd64): rebuild it without -Dembedded.platforms or with darwin-arm64 in it, "
            + "or point data.database.url and data.redis.url at a running server, e.g. "
            + "XREDLINE_DATA__DATABASE__URL=postgresql://user:password@host:5432/db "
            + "XREDLINE_DATA__REDIS__URL=redis://:password@host:6379/0")
        .hasNoCause();
  }

  @Test
  @DisplayName("a jar built with embedded.platforms=none says so")
  void noneBuild() {
    EmbeddedBinaries binaries = new EmbeddedBinaries("Linux", "amd64", name -> null);
    assertThatThrownBy(() -> binaries.select(true, true))
        .hasMessageContaining("no embedded PostgreSQL and Redis for linux-amd64 (it was built with -Dembedded.platforms=none)");
  }

  @Test
  @DisplayName("with the database configured, only data.redis.url is named")
  void onlyRedisMissing() {
    EmbeddedBinaries binaries = new EmbeddedBinaries("Linux", "aarch64", jarWith(EmbeddedPlatform.LINUX_AMD64, EmbeddedPlatform.DARWIN_ARM64));
    assertThatThrownBy(() -> binaries.select(false, true))
        .isInstanceOf(EmbeddedBinaries.Unavailable.class)
        .hasMessageStartingWith("this jar has no embedded Redis for linux-arm64 (it was built with -Dembedded.platforms=linux-amd64,darwin-arm64)")
        .hasMessageContaining("point data.redis.url at a running server")
        .hasMessageNotContaining("data.database.url");
  }

  @Test
  @DisplayName("an unsupported platform is named with its raw os.name/os.arch and the supported list, in one line")
  void unsupportedPlatform() {
    EmbeddedBinaries binaries = new EmbeddedBinaries("FreeBSD", "amd64", LOADER::getResource);
    assertThatThrownBy(() -> binaries.select(true, false))
        .isInstanceOf(EmbeddedBinaries.Unavailable.class)
        .hasMessage("no embedded PostgreSQL for freebsd-amd64 (os.name=FreeBSD, os.arch=amd64; the jar can carry them for "
            + "linux-amd64, linux-arm64, darwin-amd64, darwin-arm64, windows-amd64): point data.database.url at a running "
            + "server, e.g. XREDLINE_DATA__DATABASE__URL=postgresql://user:password@host:5432/db");
  }

  @Test
  @DisplayName("EmbeddedServers fails before starting anything when it has no binary, and needs none when both URLs are set")
  void serversUseTheSelection() {
    Map<String, String> both = TestApp.defaults("embsel");
    both.put("data.database.url", "postgresql://app@db.example:5432/app");
    AppConfig.Data configured = TestApp.config(both).data();
    try (EmbeddedServers servers = new EmbeddedServers(new EmbeddedBinaries("FreeBSD", "amd64", name -> null))) {
      Backends backends = servers.start(configured);
      assertThat(backends.databaseUrl()).isEqualTo("postgresql://app@db.example:5432/app");
      assertThat(backends.redisUrl()).isEqualTo(both.get("data.redis.url"));
    }

    Map<String, String> embeddedDb = TestApp.defaults("embsel");
    AppConfig.Data needsPostgres = TestApp.config(embeddedDb).data();
    assertThat(needsPostgres.database().embedded()).isTrue();
    try (EmbeddedServers servers = new EmbeddedServers(new EmbeddedBinaries("FreeBSD", "amd64", name -> null))) {
      assertThatThrownBy(() -> servers.start(needsPostgres))
          .isInstanceOf(EmbeddedBinaries.Unavailable.class)
          .hasMessageStartingWith("no embedded PostgreSQL for freebsd-amd64");
    }
  }

  @Test
  @DisplayName("messages are single lines")
  void oneLine() {
    for (var binaries : Set.of(new EmbeddedBinaries("FreeBSD", "amd64", name -> null),
        new EmbeddedBinaries("Linux", "amd64", name -> null))) {
      assertThatThrownBy(() -> binaries.select(true, true)).satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n", "\r"));
    }
  }
}
