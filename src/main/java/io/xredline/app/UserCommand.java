package io.xredline.app;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.xredline.audit.AuditVerticle;
import io.xredline.auth.AuthApi;
import io.xredline.auth.AuthVerticle;
import io.xredline.bus.BusReplies;
import io.xredline.config.AppConfig;
import io.xredline.data.Backends;
import io.xredline.data.EmbeddedServers;
import io.xredline.data.Migrations;
import io.xredline.kms.RootKey;
import io.xredline.error.AppError;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar xredline.jar user create [--admin] NAME}: reads the password from the terminal
 * (twice, not echoed) or from stdin (one line), migrates the configured database and creates the
 * account through the auth capability, so the same username and password rules apply.
 * {@code user unlock|disable|enable|totp-reset NAME}: the admin actions, through the same capability
 * (and audit trail) as {@code POST /api/v1/admin/users/NAME/…}.
 */
final class UserCommand {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;

  private UserCommand() {
  }

  static int run(AppConfig config, List<String> args, InputStream stdin, PrintStream out, PrintStream err) {
    AuthApi.AdminAction action = args.size() == 3 && args.get(0).equals("user") && !args.get(2).startsWith("-")
        ? java.util.Arrays.stream(AuthApi.AdminAction.values()).filter(a -> a.command.equals(args.get(1))).findFirst()
            .orElse(null)
        : null;
    if (action != null) {
      return withAuth(config, err, "not done", vertx -> AuthApi.admin(vertx.eventBus(), null, action, args.get(2),
          origin(), 60_000).map(v -> {
            out.println("user " + args.get(2) + ": " + action.command + " done");
            return null;
          }));
    }
    boolean admin = args.contains("--admin");
    List<String> rest = args.stream().filter(a -> !a.equals("--admin")).toList();
    if (rest.size() != 3 || !rest.get(0).equals("user") || !rest.get(1).equals("create") || rest.get(2).startsWith("-")) {
      err.println("xredline: usage: user create [--admin] NAME | user unlock|disable|enable|totp-reset NAME");
      return USAGE;
    }
    String username = rest.get(2);
    String password;
    try {
      password = readPassword(stdin);
    } catch (IOException | IllegalStateException e) {
      err.println("xredline: " + e.getMessage());
      return USAGE;
    }
    return withAuth(config, err, "user not created", vertx -> AuthApi.createUser(vertx.eventBus(), username, password,
        admin, origin(), 60_000).map(result -> {
          out.println((admin ? "admin " : "user ") + username + " created (user_id " + result.userId() + ")");
          return null;
        }));
  }

  private static AuthApi.Origin origin() {
    return new AuthApi.Origin("cli-" + java.util.UUID.randomUUID(), "cli");
  }

  /**
   * Migrates the configured database, deploys the audit and auth capabilities, runs {@code call}
   * against them, and cleans up (closing Vert.x drains the audit writer).
   */
  private static int withAuth(AppConfig config, PrintStream err, String failure,
                              java.util.function.Function<Vertx, Future<Void>> call) {
    Vertx vertx = Vertx.vertx();
    EmbeddedServers embedded = new EmbeddedServers();
    try {
      Backends backends = embedded.start(config.data());
      Migrations.run(backends.databaseUrl(), RootKey.of(config.security().kms().masterKey()),
            config.auth().totp().encryptionKey());
      // the audit capability too: what an operator does is in the trail like what an admin does
      Future<Void> done = vertx.deployVerticle(new AuditVerticle(config, backends))
          .compose(id -> vertx.deployVerticle(new AuthVerticle(config, backends)))
          .compose(id -> call.apply(vertx));
      done.toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
      return OK;
    } catch (Exception e) {
      AppError error = BusReplies.toAppError(e.getCause() != null ? e.getCause() : e);
      err.println("xredline: " + failure + ": " + error.reason() + ": " + error.getMessage());
      return FAILED;
    } finally {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // exiting anyway
      }
      embedded.close();
    }
  }

  private static String readPassword(InputStream stdin) throws IOException {
    Console console = System.console();
    if (console != null && stdin == System.in) {
      char[] first = console.readPassword("Password: ");
      char[] second = console.readPassword("Repeat password: ");
      try {
        if (first == null || second == null || !Arrays.equals(first, second)) {
          throw new IllegalStateException("passwords do not match");
        }
        return new String(first);
      } finally {
        if (first != null) {
          Arrays.fill(first, ' ');
        }
        if (second != null) {
          Arrays.fill(second, ' ');
        }
      }
    }
    String line = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8)).readLine();
    if (line == null || line.isEmpty()) {
      throw new IllegalStateException("no password on stdin (pipe it in: printf '%s\\n' \"$PW\" | ... user create ...)");
    }
    return line;
  }
}
