package io.xredline.app;

import io.vertx.core.Vertx;
import io.xredline.config.ConfigLoader;
import io.xredline.config.ConfigParser;
import io.xredline.config.EffectiveConfig;
import io.xredline.config.InvalidConfigException;
import io.xredline.config.Violation;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * {@code java -jar xredline.jar config check [--env …] [--conf …]}: reads every layer, prints the
 * effective configuration as YAML on stdout (secrets masked, each key's layer in a comment) and
 * every problem on stderr, without starting anything. Exit 0 when the service would start, 2 when not.
 */
final class ConfigCommand {
  static final int OK = 0;
  static final int INVALID = 2;

  private ConfigCommand() {
  }

  static int run(ConfigLoader.Sources sources, List<String> args, PrintStream out, PrintStream err) {
    if (!args.equals(List.of("config", "check"))) {
      err.println("xredline: unknown command: " + String.join(" ", args));
      err.print(CommandLine.USAGE);
      return INVALID;
    }
    EffectiveConfig effective;
    Vertx bootstrap = Vertx.vertx();
    try {
      effective = ConfigLoader.loadEffective(bootstrap, sources).toCompletionStage().toCompletableFuture().join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof InvalidConfigException invalid) {
        return report(err, sources.env(), invalid.violations());
      }
      throw e;
    } finally {
      bootstrap.close();
    }
    out.print(effective.toYaml(ConfigParser.keys(effective.tree())));
    out.flush();
    try {
      ConfigParser.Checked checked = ConfigParser.check(effective);
      for (Violation warning : checked.warnings()) {
        err.println("warning: " + warning);
      }
      err.println("xredline: configuration is valid (env " + sources.env() + ", " + checked.warnings().size()
          + " warning" + (checked.warnings().size() == 1 ? "" : "s") + ")");
      return OK;
    } catch (InvalidConfigException e) {
      return report(err, sources.env(), e.violations());
    }
  }

  private static int report(PrintStream err, String env, List<Violation> violations) {
    err.println("xredline: invalid configuration for env " + env + " (" + violations.size() + " problem"
        + (violations.size() == 1 ? "" : "s") + "):");
    for (Violation v : violations) {
      err.println("  " + v);
    }
    return INVALID;
  }
}
