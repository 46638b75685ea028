package io.xredline.app;

import io.vertx.core.Vertx;
import io.xredline.config.AppConfig;
import io.xredline.config.ConfigLoader;
import io.xredline.config.ConfigParser;
import io.xredline.config.ConfigWatch;
import io.xredline.config.InvalidConfigException;
import io.xredline.config.Violation;
import io.xredline.observability.LogSetup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar xredline.jar}: reads the configuration (exit 2 when invalid), starts the service
 * (exit 1 when it cannot), and on SIGTERM/SIGINT drains and exits 0.
 */
public final class Main {
  static final int EXIT_INVALID_CONFIG = 2;
  static final int EXIT_STARTUP_FAILED = 1;
  static final java.time.Duration CONFIG_SCAN_PERIOD = java.time.Duration.ofSeconds(2);
  private static final Logger LIFECYCLE = LoggerFactory.getLogger(LogSetup.LIFECYCLE_LOGGER);

  private Main() {
  }

  public static void main(String[] args) {
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true, StandardCharsets.UTF_8);
    CommandLine cli = CommandLine.parse(args);
    if (cli.error() != null) {
      err.println("xredline: " + cli.error());
      err.print(CommandLine.USAGE);
      System.exit(EXIT_INVALID_CONFIG);
    }
    if (cli.help()) {
      out.print(CommandLine.USAGE);
      return;
    }
    ConfigLoader.Sources sources = withRoles(ConfigLoader.Sources.system(cli.env(), cli.confFiles()),
        cli.roles() != null ? cli.roles() : System.getenv("XREDLINE_ROLES"));
    if (!cli.command().isEmpty() && cli.command().get(0).equals("config")) {
      System.exit(ConfigCommand.run(sources, cli.command(), out, err));
    }
    ConfigParser.Checked checked;
    try {
      checked = loadConfig(sources);
    } catch (InvalidConfigException e) {
      err.println("xredline: invalid configuration (" + e.violations().size() + " problem"
          + (e.violations().size() == 1 ? "" : "s") + "):");
      for (Violation v : e.violations()) {
        err.println("  " + v);
      }
      System.exit(EXIT_INVALID_CONFIG);
      return;
    }
    AppConfig config = checked.config();
    LogSetup.apply(config.log(), config.env());
    for (Violation warning : checked.warnings()) {
      LIFECYCLE.warn("configuration: {}", warning);
    }
    if (!cli.command().isEmpty() && cli.command().get(0).equals("kms")) {
      System.exit(KmsCommand.run(config, cli.command(), out, err));
    }
    if (!cli.command().isEmpty()) {
      System.exit(UserCommand.run(config, cli.command(), System.in, out, err));
    }
    run(config, sources);
  }

  /** {@code --roles} (else XREDLINE_ROLES) is cluster.roles at the highest layer, as a -D property would be. */
  static ConfigLoader.Sources withRoles(ConfigLoader.Sources sources, String roles) {
    if (roles == null || roles.isBlank()) {
      return sources;
    }
    java.util.Properties properties = new java.util.Properties();
    properties.putAll(sources.properties());
    properties.setProperty("xredline.cluster.roles", roles);
    return new ConfigLoader.Sources(sources.env(), sources.files(), sources.environment(), properties);
  }

  /** Loading needs a Vert.x for vertx-config; a short-lived one keeps the real one free to be clustered. */
  static ConfigParser.Checked loadConfig(ConfigLoader.Sources sources) {
    Vertx bootstrap = Vertx.vertx();
    try {
      var effective = ConfigLoader.loadEffective(bootstrap, sources).toCompletionStage().toCompletableFuture().join();
      return ConfigParser.check(effective);
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof InvalidConfigException ice) {
        throw ice;
      }
      throw e;
    } finally {
      bootstrap.close();
    }
  }

  private static void run(AppConfig config, ConfigLoader.Sources sources) {
    // handlers first: a SIGTERM during start-up (a pod deleted while it starts) waits for the start
    // to finish and then drains, instead of killing the JVM with the default handler (exit 143)
    CompletableFuture<Void> stopRequested = new CompletableFuture<>();
    long budgetMs = config.server().shutdownTimeout().toMillis() + 15_000;
    sun.misc.SignalHandler onSignal = signal -> {
      if (stopRequested.complete(null)) {
        startWatchdog(budgetMs);
      }
    };
    Signal.handle(new Signal("TERM"), onSignal);
    Signal.handle(new Signal("INT"), onSignal);
    RunningApp app;
    try {
      app = Application.start(config).toCompletionStage().toCompletableFuture().join();
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      LIFECYCLE.error("start-up failed: {}", cause.getMessage());
      System.exit(EXIT_STARTUP_FAILED);
      return;
    }
    // log.level, features and security.rate_limit follow their files at runtime (CONTRACT §2)
    ConfigWatch.start(app.vertx(), sources, config, CONFIG_SCAN_PERIOD, (previous, next) -> LogSetup.level(next.log().level()))
        .onFailure(e -> LIFECYCLE.warn("configuration hot reload is off: {}", e.getMessage()));
    stopRequested.join();
    app.stop().toCompletionStage().toCompletableFuture().join();
    System.exit(0);
  }

  /** The drain itself is bounded; this only guards against a stop that hangs forever. */
  private static void startWatchdog(long budgetMs) {
    Thread watchdog = new Thread(() -> {
      try {
        TimeUnit.MILLISECONDS.sleep(budgetMs);
      } catch (InterruptedException ignored) {
        Thread.currentThread().interrupt();
        return;
      }
      Runtime.getRuntime().halt(EXIT_STARTUP_FAILED);
    }, "xredline-exit-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }
}
