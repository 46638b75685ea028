package io.xredline.app;

import io.xredline.config.ConfigLoader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The command line's --roles")
class CommandLineTest {

  @Test
  @DisplayName("--roles LIST and --roles=LIST are read; they become cluster.roles at the top layer, else XREDLINE_ROLES does")
  void roles() {
    assertThat(CommandLine.parse(new String[] {"--roles", "http,grpc"}).roles()).isEqualTo("http,grpc");
    assertThat(CommandLine.parse(new String[] {"--roles=auth"}).roles()).isEqualTo("auth");
    assertThat(CommandLine.parse(new String[] {"--roles"}).error()).isEqualTo("--roles needs a value");
    assertThat(CommandLine.parse(new String[] {}).roles()).isNull();

    ConfigLoader.Sources sources = new ConfigLoader.Sources("test", List.of(), Map.of(), new Properties());
    assertThat(Main.withRoles(sources, "auth,greeter").properties().getProperty("xredline.cluster.roles")).isEqualTo("auth,greeter");
    assertThat(Main.withRoles(sources, null)).isSameAs(sources);
    assertThat(CommandLine.USAGE).contains("--roles LIST");
  }
}
