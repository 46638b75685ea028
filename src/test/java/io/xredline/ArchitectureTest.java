package io.xredline;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.Architectures;
import io.micrometer.core.instrument.Metrics;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.xredline.app.Main;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * STYLE.md's structure, checked on the compiled main classes: app → transports → capabilities →
 * infrastructure → config/error, no package cycles, no Vert.x internals, one way to register meters.
 */
@DisplayName("Dependencies point one way and the structure rules hold")
class ArchitectureTest {
  private static JavaClasses classes;

  /**
   * Reads only the main classes' directory, without the generated protobuf code, and does not load
   * the third-party classes they refer to: the rules match those by name.
   */
  @BeforeAll
  static void importMainClasses() throws Exception {
    Path main = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    ArchConfiguration archUnit = ArchConfiguration.get();
    boolean resolving = archUnit.resolveMissingDependenciesFromClassPath();
    // the setting is JVM-wide: other ArchUnit tests (LogComplianceTest) need resolution on
    archUnit.setResolveMissingDependenciesFromClassPath(false);
    try {
      classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .withImportOption(location -> !location.contains("/io/xredline/api/")).importPath(main);
    } finally {
      archUnit.setResolveMissingDependenciesFromClassPath(resolving);
    }
  }

  static final Architectures.LayeredArchitecture LAYERS = layeredArchitecture().consideringOnlyDependenciesInLayers()
      .layer("App").definedBy("io.xredline.app..")
      .layer("Transports").definedBy("io.xredline.http..", "io.xredline.grpc..")
      .layer("Capabilities").definedBy("io.xredline.auth..", "io.xredline.greeter..", "io.xredline.audit..",
          "io.xredline.health..", "io.xredline.ratelimit..", "io.xredline.features..", "io.xredline.plugins..")
      .layer("Infrastructure").definedBy("io.xredline.observability..", "io.xredline.data..", "io.xredline.bus..",
          "io.xredline.kms..")
      .layer("Foundation").definedBy("io.xredline.config..", "io.xredline.error..", "io.xredline.net..")
      .whereLayer("App").mayNotBeAccessedByAnyLayer()
      .whereLayer("Transports").mayOnlyBeAccessedByLayers("App")
      .whereLayer("Capabilities").mayOnlyBeAccessedByLayers("App", "Transports")
      .whereLayer("Infrastructure").mayOnlyBeAccessedByLayers("App", "Transports", "Capabilities")
      .whereLayer("Foundation").mayOnlyBeAccessedByLayers("App", "Transports", "Capabilities", "Infrastructure");

  @Test
  @DisplayName("app → transports (http, grpc) → capabilities (incl. ratelimit) → infrastructure (observability, data, bus) → config/error/net")
  void layers() {
    LAYERS.check(classes);
  }

  @Test
  @DisplayName("no two io.xredline packages depend on each other, directly or through others")
  void noPackageCycles() {
    slices().matching("io.xredline.(**)").should().beFreeOfCycles().check(classes);
  }

  @Test
  @DisplayName("the layer and cycle rules fail on a violation (two test-only fixtures that break them)")
  void rulesFailOnAViolation() {
    JavaClasses broken = new ClassFileImporter().importPackages("io.xredline.data", "io.xredline.auth")
        .that(com.tngtech.archunit.base.DescribedPredicate.describe("the fixtures and the class one of them reaches for",
            c -> c.getSimpleName().endsWith("Fixture") || c.getName().equals("io.xredline.auth.AuthApi$Principal")));
    assertThatThrownBy(() -> LAYERS.withOptionalLayers(true).check(broken)).isInstanceOf(AssertionError.class)
        .hasMessageContaining("UpwardDependencyFixture").hasMessageContaining("AuthApi$Principal");
    assertThatThrownBy(() -> slices().matching("io.xredline.(**)").should().beFreeOfCycles().check(broken))
        .isInstanceOf(AssertionError.class).hasMessageContaining("Cycle detected");
  }

  @Test
  @DisplayName("only the gRPC transport uses the generated protobuf types")
  void wireTypesStayInTheTransport() {
    noClasses().that().resideOutsideOfPackage("io.xredline.grpc..")
        .should().dependOnClassesThat().resideInAPackage("io.xredline.api..").check(classes);
  }

  @Test
  @DisplayName("the two transports are independent of each other")
  void transportsIndependent() {
    noClasses().that().resideInAPackage("io.xredline.grpc..")
        .should().dependOnClassesThat().resideInAPackage("io.xredline.http..").check(classes);
    noClasses().that().resideInAPackage("io.xredline.http..")
        .should().dependOnClassesThat().resideInAPackage("io.xredline.grpc..").check(classes);
  }

  @Test
  @DisplayName("transports never touch SQL or Redis; capabilities never see an HTTP or gRPC request")
  void transportsTranslateOnly() {
    noClasses().that().resideInAnyPackage("io.xredline.http..", "io.xredline.grpc..")
        .should().dependOnClassesThat().resideInAnyPackage("io.vertx.sqlclient..", "io.vertx.pgclient..",
            "io.vertx.redis..", "io.xredline.data..")
        .check(classes);
    noClasses().that().resideInAnyPackage("io.xredline.auth..", "io.xredline.greeter..", "io.xredline.audit..",
            "io.xredline.health..")
        .should().dependOnClassesThat().resideInAnyPackage("io.vertx.ext.web", "io.vertx.ext.web.handler..",
            "io.vertx.grpc.server..")
        .orShould().dependOnClassesThat().belongToAnyOf(HttpServerRequest.class, HttpServerResponse.class)
        .check(classes);
  }

  @Test
  @DisplayName("nothing reaches into Vert.x internals (impl or internal packages), which change without notice")
  void noVertxInternals() {
    noClasses().should().dependOnClassesThat().resideInAnyPackage("io.vertx..impl..", "io.vertx.core.internal..")
        .check(classes);
  }

  @Test
  @DisplayName("nothing maps beans through Vert.x's JSON (mapFrom, mapTo, decodeValue to a class, asPojo): the process's codec is the streaming one")
  void noBeanMappingThroughVertxJson() {
    noClasses().should().callMethodWhere(com.tngtech.archunit.base.DescribedPredicate.describe(
            "a call that maps a bean through Vert.x's JSON codec", ArchitectureTest::mapsABean))
        .check(classes);
  }

  private static boolean mapsABean(com.tngtech.archunit.core.domain.JavaMethodCall call) {
    String owner = call.getTargetOwner().getName();
    String name = call.getName();
    return owner.equals("io.vertx.core.json.JsonObject") && (name.equals("mapFrom") || name.equals("mapTo"))
        || owner.equals("io.vertx.core.json.Json") && name.startsWith("decodeValue")
            && call.getTarget().getRawParameterTypes().size() == 2
        || owner.equals("io.vertx.ext.web.RequestBody") && name.equals("asPojo");
  }

  @Test
  @DisplayName("the bean-mapping rule fails on a violation (a test-only fixture calling JsonObject.mapFrom and mapTo)")
  void beanMappingRuleFailsOnAViolation() {
    JavaClasses fixture = new ClassFileImporter().importClasses(io.xredline.app.BeanMappingFixture.class);
    assertThatThrownBy(() -> noClasses().should().callMethodWhere(com.tngtech.archunit.base.DescribedPredicate.describe(
            "a call that maps a bean through Vert.x's JSON codec", ArchitectureTest::mapsABean)).check(fixture))
        .isInstanceOf(AssertionError.class).hasMessageContaining("mapFrom").hasMessageContaining("mapTo")
        .hasMessageContaining("decodeValue");
  }

  @Test
  @DisplayName("meters are registered in the service instance's registry, never in Micrometer's global one")
  void oneMeterRegistry() {
    noClasses().should().dependOnClassesThat().belongToAnyOf(Metrics.class).check(classes);
  }
}
