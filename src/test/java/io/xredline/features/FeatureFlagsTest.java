package io.xredline.features;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Feature flags: booleans, users, roles and a stable percentage per user")
class FeatureFlagsTest {
  private static FeatureFlags.Caller user(int id) {
    return new FeatureFlags.Caller(String.valueOf(id), "user" + id, Set.of("user"));
  }

  @Test
  @DisplayName("true/false apply to everyone, signed in or not; an undefined flag answers the fallback")
  void booleans() {
    FeatureFlags flags = new FeatureFlags(new JsonObject().put("on", true).put("off", false).put("text", "false"));
    assertThat(flags.enabled("on", FeatureFlags.Caller.ANONYMOUS, false)).isTrue();
    assertThat(flags.enabled("off", user(1), true)).isFalse();
    assertThat(flags.enabled("text", user(1), true)).as("an env override arrives as a string").isFalse();
    assertThat(flags.enabled("missing", user(1), true)).isTrue();
    assertThat(flags.enabled("missing", user(1), false)).isFalse();
  }

  @Test
  @DisplayName("users (by id or name) and roles get the flag; others do not; disabled beats both")
  void usersAndRoles() {
    FeatureFlags flags = new FeatureFlags(new JsonObject()
        .put("beta", new JsonObject().put("users", new JsonArray().add("7").add("alice")).put("roles", new JsonArray().add("staff")))
        .put("dead", new JsonObject().put("enabled", false).put("users", new JsonArray().add("7"))));
    assertThat(flags.enabled("beta", user(7), false)).isTrue();
    assertThat(flags.enabled("beta", new FeatureFlags.Caller("99", "alice", Set.of()), false)).isTrue();
    assertThat(flags.enabled("beta", new FeatureFlags.Caller("98", "bob", Set.of("staff")), false)).isTrue();
    assertThat(flags.enabled("beta", user(8), true)).as("percent defaults to 0 when users/roles are listed").isFalse();
    assertThat(flags.enabled("beta", FeatureFlags.Caller.ANONYMOUS, true)).isFalse();
    assertThat(flags.enabled("dead", user(7), true)).isFalse();
  }

  @Test
  @DisplayName("a percentage admits about that share of users, the same ones every time, and growing it only adds users")
  void stablePercent() {
    FeatureFlags at10 = new FeatureFlags(new JsonObject().put("roll", new JsonObject().put("percent", 10)));
    FeatureFlags at50 = new FeatureFlags(new JsonObject().put("roll", new JsonObject().put("percent", 50)));
    long in10 = IntStream.range(0, 10_000).filter(i -> at10.enabled("roll", user(i), false)).count();
    assertThat(in10).isBetween(800L, 1200L);
    IntStream.range(0, 10_000).forEach(i -> {
      if (at10.enabled("roll", user(i), false)) {
        assertThat(at50.enabled("roll", user(i), false)).as("user %d keeps the flag as it grows", i).isTrue();
      }
      assertThat(at10.enabled("roll", user(i), false)).isEqualTo(at10.enabled("roll", user(i), false));
    });
    assertThat(FeatureFlags.bucket("roll", "42")).isEqualTo(FeatureFlags.bucket("roll", "42"));
    // another flag's rollout picks other users
    assertThat(IntStream.range(0, 200).filter(i -> FeatureFlags.bucket("a", "" + i) != FeatureFlags.bucket("b", "" + i))
        .count()).isGreaterThan(150);
    assertThat(at50.enabled("roll", FeatureFlags.Caller.ANONYMOUS, true)).as("no account, no bucket").isFalse();
  }
}
