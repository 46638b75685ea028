package io.xredline.auth;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("argon2id on a hashing thread's kept memory: the reference implementation's hashes, no 19 MiB per hash")
class Argon2ReuseTest {
  /**
   * Made with the reference implementation (Debian's argon2 CLI, {@code echo -n PASSWORD | argon2 SALT
   * -id -t T -k M -p P -l 32 -e}), not with BouncyCastle.
   */
  private static final List<String[]> REFERENCE = List.of(
      new String[] {"pässwörd-1", "$argon2id$v=19$m=19456,t=2,p=1$eHJlZGxpbmUtc2FsdC0xNg$WOQRrb/9/4ScJA1zH6Hpzf8pCPqcJlm/DXBIgS6edno"},
      new String[] {"correct horse battery staple", "$argon2id$v=19$m=1024,t=3,p=2$YW5vdGhlciBzYWx0IDEyMw$Z5rmK1OHZMXOHJuIa7Wz/cXw7ffuNwss4O3iNkWNbOo"},
      new String[] {"x", "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$vj1O5tBH3hZSI6+EpZ/eqzoSITOYTg9moledICdjmVY"});

  @Test
  @DisplayName("the pinned BouncyCastle lets a generator keep its memory (a version that does not fails here, not silently)")
  void reuseEngaged() {
    assertThat(PasswordHashing.Generators.reusing()).isTrue();
  }

  @Test
  @DisplayName("the reference implementation's hashes verify, each twice and between the others' costs, on one thread's kept generators")
  void referenceVectors() {
    for (int round = 0; round < 2; round++) {
      for (String[] vector : REFERENCE) {
        assertThat(PasswordHashing.verifyNow(vector[0], vector[1])).as("%s round %d", vector[1], round).isTrue();
        assertThat(PasswordHashing.verifyNow(vector[0] + "!", vector[1])).isFalse();
      }
      // the same cost twice in a row: the second hash runs on the first one's memory, another salt
      assertThat(PasswordHashing.verifyNow(REFERENCE.get(0)[0], REFERENCE.get(0)[1])).isTrue();
    }
  }

  @Test
  @DisplayName("every hash on reused memory equals BouncyCastle's on fresh memory, for random passwords, salts and costs")
  void sameAsFresh() {
    Random random = new Random(4711);
    for (int i = 0; i < 60; i++) {
      PasswordHashing.Params p = new PasswordHashing.Params(8 * (1 + random.nextInt(4)) * (1 + random.nextInt(2)),
          1 + random.nextInt(3), 1 + random.nextInt(2));
      byte[] salt = new byte[8 + random.nextInt(16)];
      random.nextBytes(salt);
      String password = "pw-" + random.nextInt() + "-ü";
      String phc = PasswordHashing.hashWith(password, salt, p);
      assertThat(phc).isEqualTo(PasswordHashing.phc(p, salt, fresh(password, salt, p)));
      assertThat(PasswordHashing.verifyNow(password, phc)).isTrue();
    }
  }

  @Test
  @DisplayName("the second hash at the default cost allocates kilobytes, not the 19 MiB the first one did")
  void memoryKept() {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    PasswordHashing.Params p = new PasswordHashing.Params(19456, 2, 1);
    byte[] salt = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    // another cost first: this thread's kept generator is then not one for p
    PasswordHashing.hashWith("warm", salt, new PasswordHashing.Params(64, 1, 1));
    long before = threads.getCurrentThreadAllocatedBytes();
    String first = PasswordHashing.hashWith("pässwörd-1", salt, p);
    long afterFirst = threads.getCurrentThreadAllocatedBytes();
    String second = PasswordHashing.hashWith("pässwörd-1", salt, p);
    long afterSecond = threads.getCurrentThreadAllocatedBytes();
    assertThat(second).isEqualTo(first);
    assertThat(afterFirst - before).as("first hash").isGreaterThan(19L * 1024 * 1024);
    assertThat(afterSecond - afterFirst).as("second hash").isLessThan(256L * 1024);
  }

  private static byte[] fresh(String password, byte[] salt, PasswordHashing.Params p) {
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withMemoryAsKB(p.memoryKib()).withIterations(p.iterations()).withParallelism(p.parallelism())
        .withSalt(salt).build());
    byte[] out = new byte[32];
    generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
    return out;
  }
}
