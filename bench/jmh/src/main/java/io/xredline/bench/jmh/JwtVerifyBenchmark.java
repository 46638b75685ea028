package io.xredline.bench.jmh;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.xredline.auth.Tokens;
import io.xredline.config.AppConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * An access token checked the service's way ({@link Tokens#verify}: shape regex, header and payload
 * decoded by hand, then vertx-auth-jwt, then the claims) against vertx-auth-jwt alone configured
 * with the same issuer, audience and leeway (what bench/baseline does), and the header parse.
 */
@State(Scope.Benchmark)
public class JwtVerifyBenchmark extends HotPathRun {
  private static final String SECRET = "jmh-secret-key-0123456789-0123456789-abcdef";
  private Vertx vertx;
  private Tokens tokens;
  private JWTAuth bare;
  private String token;
  private String authorization;

  @Setup(Level.Trial)
  public void setUp() {
    vertx = Vertx.vertx();
    AppConfig.Jwt config = new AppConfig.Jwt(SECRET, "xredline", "xredline", Duration.ofMinutes(15), Duration.ofDays(7),
        Duration.ofSeconds(30), "HS256", List.of("HS256", "RS256", "ES256"), null, null);
    tokens = new Tokens(vertx, config);
    token = tokens.issue(Tokens.ACCESS, 42, "benchuser", Tokens.newId(), Tokens.newId(),
        Instant.now().getEpochSecond() + 24 * 3600);
    authorization = "Bearer " + token;
    bare = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET))
        .setJWTOptions(new JWTOptions().setIssuer("xredline").setAudience(List.of("xredline")).setLeeway(30)));
    if (verifyService().userId() != 42 || verifyBare() == null) {
      throw new IllegalStateException("token did not verify");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    vertx.close().await();
  }

  @Benchmark
  public Tokens.Claims verifyService() {
    return join(tokens.verify(token, Tokens.ACCESS));
  }

  @Benchmark
  public User verifyBare() {
    return join(bare.authenticate(new TokenCredentials(token)));
  }

  @Benchmark
  public String bearerHeader() {
    return Tokens.bearer(authorization);
  }

  private static <T> T join(Future<T> future) {
    return future.toCompletionStage().toCompletableFuture().join();
  }
}
