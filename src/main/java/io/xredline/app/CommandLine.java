package io.xredline.app;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The flags of {@code java -jar xredline.jar}: {@code --conf FILE} (repeatable), {@code --env},
 * {@code --help}, and an optional command ({@code user create --admin NAME}, {@code config check},
 * {@code kms rotate}) instead of serving.
 */
record CommandLine(List<Path> confFiles, String env, boolean help, String error, List<String> command, String roles) {
  static final String USAGE = """
      Usage: java -jar xredline.jar [--conf FILE]... [--env dev|test|prod] [--roles LIST] [--help]
             java -jar xredline.jar [--conf FILE]... [--env ...] user create [--admin] NAME
             java -jar xredline.jar [--conf FILE]... [--env ...] user unlock|disable|enable|totp-reset NAME
             java -jar xredline.jar [--conf FILE]... [--env ...] config check
             java -jar xredline.jar [--conf FILE]... [--env ...] kms rotate | kms status

      Starts xredline: HTTP (REST, health, metrics) on 8000 and gRPC on 9000 by default.
      With no configuration it runs on an embedded PostgreSQL and Redis (dev/test only).

        --conf FILE   extra YAML layered over the defaults; repeatable, later wins
        --env NAME    dev (default), test or prod; same as XREDLINE_ENV
        --roles LIST  what this node runs, comma-separated out of http,grpc,auth,greeter,audit,health
                      (default all; same as XREDLINE_ROLES and cluster.roles); needs cluster.enabled
        --help        print this and exit

      user create [--admin] NAME   creates an account (role admin with --admin) in the configured
                    database; the password is read from stdin (not echoed on a terminal).
      user unlock|disable|enable|totp-reset NAME
                    lifts the account's lockout, disables it (its sessions end; sign-in and
                    every request answer 403 ACCOUNT_DISABLED), enables it again, or turns its
                    TOTP off (secret and recovery codes gone); recorded in the audit trail.

      kms rotate    adds a new data key (wrapped by security.kms.master_key) and makes it active;
                    running instances pick it up within security.kms.refresh_interval and
                    re-encrypt emails, phones and TOTP secrets in the background while serving.
      kms status    lists the data keys and how many accounts each still protects.

      config check  validates every layer without starting anything and prints the effective
                    configuration as YAML (secrets masked, each key's layer as a comment);
                    exit 0 when valid, 2 when not. Unknown keys are warnings (errors in prod).

      Configuration layers, later wins: conf/config.yaml in the jar, conf/config-<env>.yaml
      (jar, then ./conf), --conf files and XREDLINE_CONFIG, XREDLINE_<A>__<B> variables,
      -Dxredline.<a>.<b> properties. Invalid configuration exits with code 2.
      """;

  static CommandLine parse(String[] args) {
    List<Path> conf = new ArrayList<>();
    String env = null;
    String roles = null;
    boolean help = false;
    List<String> command = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String value = null;
      int eq = arg.indexOf('=');
      String flag = arg.startsWith("--") && eq > 0 ? arg.substring(0, eq) : arg;
      if (arg.startsWith("--") && eq > 0) {
        value = arg.substring(eq + 1);
      }
      switch (flag) {
        case "--help", "-h" -> help = true;
        case "--conf", "--env", "--roles" -> {
          if (value == null) {
            if (i + 1 >= args.length) {
              return failure(flag + " needs a value");
            }
            value = args[++i];
          }
          if (flag.equals("--conf")) {
            conf.add(Path.of(value));
          } else if (flag.equals("--roles")) {
            roles = value;
          } else {
            env = value;
          }
        }
        default -> {
          if (command.isEmpty() && arg.startsWith("-")) {
            return failure("unknown argument: " + arg);
          }
          command.add(arg);
        }
      }
    }
    return new CommandLine(List.copyOf(conf), env, help, null, List.copyOf(command), roles);
  }

  private static CommandLine failure(String error) {
    return new CommandLine(List.of(), null, false, error, List.of(), null);
  }
}
