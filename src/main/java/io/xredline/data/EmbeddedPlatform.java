package io.xredline.data;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The machines the fat jar can carry embedded PostgreSQL and Redis for, under the names the build
 * uses ({@code -Dembedded.platforms=linux-amd64,…} in pom.xml). Each names the file zonky's
 * binaries artifact holds for it and the codemonstur embedded-redis executable; pom.xml's
 * embedded-platforms execution leaves both out of the jar for a platform not in the list.
 */
public enum EmbeddedPlatform {
  LINUX_AMD64("linux-amd64", "postgres-linux-x86_64.txz", "redis-server-6.2.6-v5-linux-amd64"),
  LINUX_ARM64("linux-arm64", "postgres-linux-arm_64.txz", "redis-server-6.2.7-linux-arm64"),
  DARWIN_AMD64("darwin-amd64", "postgres-darwin-x86_64.txz", "redis-server-6.2.6-v5-darwin-amd64"),
  DARWIN_ARM64("darwin-arm64", "postgres-darwin-arm_64.txz", "redis-server-6.2.6-v5-darwin-arm64"),
  // the only Windows build embedded-redis bundles is Redis 5.0 (a community port); see README
  WINDOWS_AMD64("windows-amd64", "postgres-windows-x86_64.txz", "redis-server-5.0.14.1-windows-amd64.exe");

  private final String id;
  private final String postgresArchive;
  private final String redisExecutable;

  EmbeddedPlatform(String id, String postgresArchive, String redisExecutable) {
    this.id = id;
    this.postgresArchive = postgresArchive;
    this.redisExecutable = redisExecutable;
  }

  /** The build's name for it: {@code darwin-arm64}. */
  public String id() {
    return id;
  }

  /** Class-path resource of zonky's PostgreSQL archive for this platform. */
  public String postgresArchive() {
    return postgresArchive;
  }

  /** Class-path resource of the Redis server executable for this platform. */
  public String redisExecutable() {
    return redisExecutable;
  }

  public static List<String> ids() {
    return Arrays.stream(values()).map(EmbeddedPlatform::id).toList();
  }

  /**
   * The platform for a JVM's {@code os.name} and {@code os.arch}, read the way zonky reads them
   * (os.name prefix; amd64 and x86_64 are one architecture, aarch64 and arm64 another), so the
   * archive chosen here is the one zonky would pick. Empty for anything the jar has no binaries for.
   */
  public static Optional<EmbeddedPlatform> of(String osName, String osArch) {
    String os = osFamily(osName);
    String arch = archFamily(osArch);
    if (os == null || arch == null) {
      return Optional.empty();
    }
    String id = os + "-" + arch;
    return Arrays.stream(values()).filter(p -> p.id.equals(id)).findFirst();
  }

  /** {@code os.name}/{@code os.arch} as a platform-style name for messages, known or not: {@code freebsd-amd64}. */
  public static String describe(String osName, String osArch) {
    String os = osFamily(osName);
    String arch = archFamily(osArch);
    return (os != null ? os : clean(osName)) + "-" + (arch != null ? arch : clean(osArch));
  }

  private static String osFamily(String osName) {
    String name = osName == null ? "" : osName.trim().toLowerCase(Locale.ROOT);
    if (name.startsWith("linux")) {
      return "linux";
    }
    if (name.startsWith("mac os x") || name.startsWith("darwin")) {
      return "darwin";
    }
    if (name.startsWith("windows")) {
      return "windows";
    }
    return null;
  }

  private static String archFamily(String osArch) {
    String arch = osArch == null ? "" : osArch.trim().toLowerCase(Locale.ROOT);
    return switch (arch) {
      case "amd64", "x86_64", "x86-64", "x64", "em64t" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      default -> null;
    };
  }

  private static String clean(String value) {
    String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_.]+", "");
    return v.isEmpty() ? "unknown" : v;
  }
}
