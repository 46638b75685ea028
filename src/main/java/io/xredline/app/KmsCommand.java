package io.xredline.app;

import io.xredline.config.AppConfig;
import io.xredline.config.Units;
import io.xredline.data.Backends;
import io.xredline.data.EmbeddedServers;
import io.xredline.data.KeyRotationStatus;
import io.xredline.data.Migrations;
import io.xredline.kms.RootKey;

import java.io.PrintStream;
import java.util.List;

/**
 * {@code java -jar xredline.jar kms rotate | status}. {@code rotate} adds a new random data key
 * (wrapped by the root key) and makes it the active one, in one transaction, and returns: the
 * running instances pick it up within {@code security.kms.refresh_interval} and re-encrypt the
 * accounts in the background in batches while they serve; until then every older key still opens
 * what it sealed. {@code status} shows the keys and how many accounts each still holds.
 */
final class KmsCommand {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;

  private KmsCommand() {
  }

  static int run(AppConfig config, List<String> args, PrintStream out, PrintStream err) {
    if (args.size() != 2 || !List.of("rotate", "status").contains(args.get(1))) {
      err.println("xredline: usage: kms rotate | kms status");
      return USAGE;
    }
    RootKey root = RootKey.of(config.security().kms().masterKey());
    try (EmbeddedServers embedded = new EmbeddedServers()) {
      Backends backends = embedded.start(config.data());
      Migrations.run(backends.databaseUrl(), root, config.auth().totp().encryptionKey());
      if (args.get(1).equals("rotate")) {
        int version = KeyRotationStatus.rotate(backends.databaseUrl(), root);
        out.println("data key v" + version + " created and active");
        out.println("running instances seal new values under it within "
            + Units.format(config.security().kms().refreshInterval())
            + " (security.kms.refresh_interval) and re-encrypt older accounts in the background;"
            + " watch progress with: kms status");
      }
      for (String line : KeyRotationStatus.describe(backends.databaseUrl(), root)) {
        out.println(line);
      }
      return OK;
    } catch (Exception e) {
      err.println("xredline: kms " + args.get(1) + " failed: " + e.getMessage());
      return FAILED;
    }
  }
}
