package io.xredline.data;

import java.net.URL;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Picks the embedded PostgreSQL archive and Redis executable for this machine from what the jar
 * carries, or says in one line why there is none and what to configure instead. Looking resources
 * up through a function keeps the choice testable for every platform without running its binaries.
 */
public final class EmbeddedBinaries {
  private final String osName;
  private final String osArch;
  private final Function<String, URL> resources;

  EmbeddedBinaries(String osName, String osArch, Function<String, URL> resources) {
    this.osName = osName;
    this.osArch = osArch;
    this.resources = resources;
  }

  /** This JVM's platform and the jar it was started from. */
  public static EmbeddedBinaries forThisMachine() {
    ClassLoader loader = EmbeddedBinaries.class.getClassLoader();
    return new EmbeddedBinaries(System.getProperty("os.name"), System.getProperty("os.arch"), loader::getResource);
  }

  /** What was found for the servers asked for; a URL is present exactly for each one asked for. */
  public record Selection(EmbeddedPlatform platform, Optional<URL> postgres, Optional<URL> redis) {
  }

  /** No embedded server for this machine; the message is the single line an operator needs. */
  public static final class Unavailable extends RuntimeException {
    Unavailable(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * @throws Unavailable when the platform is not one the jar can carry, or this jar was built
   *     without its binaries ({@code -Dembedded.platforms})
   */
  public Selection select(boolean postgres, boolean redis) {
    String servers = postgres && redis ? "PostgreSQL and Redis" : postgres ? "PostgreSQL" : "Redis";
    EmbeddedPlatform platform = EmbeddedPlatform.of(osName, osArch).orElseThrow(() -> new Unavailable(
        "no embedded " + servers + " for " + EmbeddedPlatform.describe(osName, osArch)
            + " (os.name=" + osName + ", os.arch=" + osArch + "; the jar can carry them for "
            + String.join(", ", EmbeddedPlatform.ids()) + "): " + instead(postgres, redis)));
    Optional<URL> pg = postgres ? Optional.ofNullable(resources.apply(platform.postgresArchive())) : Optional.empty();
    Optional<URL> rd = redis ? Optional.ofNullable(resources.apply(platform.redisExecutable())) : Optional.empty();
    boolean pgMissing = postgres && pg.isEmpty();
    boolean redisMissing = redis && rd.isEmpty();
    if (!pgMissing && !redisMissing) {
      return new Selection(platform, pg, rd);
    }
    List<String> carried = carried();
    String missing = pgMissing && redisMissing ? servers : pgMissing ? "PostgreSQL" : "Redis";
    throw new Unavailable("this jar has no embedded " + missing + " for " + platform.id()
        + " (it was built with -Dembedded.platforms=" + (carried.isEmpty() ? "none" : String.join(",", carried))
        + "): rebuild it without -Dembedded.platforms or with " + platform.id() + " in it, or "
        + instead(pgMissing, redisMissing));
  }

  /** Platforms whose PostgreSQL archive and Redis executable are both in this jar. */
  List<String> carried() {
    return Arrays.stream(EmbeddedPlatform.values())
        .filter(p -> resources.apply(p.postgresArchive()) != null && resources.apply(p.redisExecutable()) != null)
        .map(EmbeddedPlatform::id)
        .toList();
  }

  private static String instead(boolean postgres, boolean redis) {
    List<String> keys = new ArrayList<>();
    List<String> env = new ArrayList<>();
    if (postgres) {
      keys.add("data.database.url");
      env.add("XREDLINE_DATA__DATABASE__URL=postgresql://user:password@host:5432/db");
    }
    if (redis) {
      keys.add("data.redis.url");
      env.add("XREDLINE_DATA__REDIS__URL=redis://:password@host:6379/0");
    }
    return "point " + String.join(" and ", keys) + " at a running server, e.g. " + String.join(" ", env);
  }
}
