package io.xredline.observability;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaFieldAccess;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import io.xredline.app.Main;
import io.xredline.observability.fixtures.NonCompliantLogging;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.codeUnits;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed's log checker (日志检查器) as build-breaking rules. Bytecode rules (ArchUnit) for
 * standard streams, printStackTrace and secret-named fields/accessors passed to a log call;
 * a source rule for string concatenation and String.format inside log calls and secret-named
 * local variables, which bytecode does not show (javac turns "+" into invokedynamic).
 */
@DisplayName("Log compliance: no stdout/stderr, no printStackTrace, parameterised messages only, no secrets as log arguments")
class LogComplianceTest {
  private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(password|passwd|secret|token).*");
  private static final Set<String> LOG_METHODS = Set.of("trace", "debug", "info", "warn", "error");
  private static final Path MAIN_SOURCES = Path.of("src/main/java");
  private static JavaClasses production;

  @BeforeAll
  // reads every class file under io.xredline (generated protobuf included): 90 s seen with both cores busy
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  static void importClasses() {
    production = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.xredline");
  }

  private static final DescribedPredicate<JavaMethodCall> PRINT_STACK_TRACE = new DescribedPredicate<>(
      "Throwable.printStackTrace()") {
    @Override
    public boolean test(JavaMethodCall call) {
      return call.getName().equals("printStackTrace") && call.getTargetOwner().isAssignableTo(Throwable.class);
    }
  };

  /** Main prints usage and configuration errors to the terminal on purpose: that is CLI output, not logging. */
  static final ArchRule NO_STANDARD_STREAMS = noClasses()
      .that().doNotBelongToAnyOf(Main.class)
      .should().accessField(System.class, "out")
      .orShould().accessField(System.class, "err")
      .orShould().accessField(FileDescriptor.class, "out")
      .orShould().accessField(FileDescriptor.class, "err")
      .orShould().callMethodWhere(PRINT_STACK_TRACE)
      .because("every line must go through the logger, where it is JSON, carries request ids and is masked");

  static final ArchRule NO_SECRETS_AS_LOG_ARGUMENTS = codeUnits().should(notLogSecretNamedValues())
      .because("passwords, tokens and secrets must never reach a log line, even masked");

  /** A field or accessor named like a secret read on the line of (or the lines spanned by) a log call. */
  private static ArchCondition<JavaCodeUnit> notLogSecretNamedValues() {
    return new ArchCondition<>("not pass password/token/secret-named fields or accessors to a logger") {
      @Override
      public void check(JavaCodeUnit unit, ConditionEvents events) {
        List<Integer> logLines = new ArrayList<>();
        for (JavaMethodCall call : unit.getMethodCallsFromSelf()) {
          if (call.getTargetOwner().isAssignableTo(org.slf4j.Logger.class) && LOG_METHODS.contains(call.getName())) {
            logLines.add(call.getLineNumber());
          }
        }
        if (logLines.isEmpty()) {
          return;
        }
        List<JavaAccess<?>> reads = new ArrayList<>();
        for (JavaFieldAccess access : unit.getFieldAccesses()) {
          boolean constant = access.getTarget().resolveMember().map(JavaField::getModifiers)
              .map(m -> m.contains(JavaModifier.STATIC) && m.contains(JavaModifier.FINAL)).orElse(false);
          if (!constant && access.getAccessType() == JavaFieldAccess.AccessType.GET) {
            reads.add(access);
          }
        }
        for (JavaMethodCall call : unit.getMethodCallsFromSelf()) {
          if (call.getTarget().getParameterTypes().isEmpty()) {
            reads.add(call);
          }
        }
        for (JavaAccess<?> read : reads) {
          if (SECRET_NAME.matcher(read.getName()).matches()
              && logLines.stream().anyMatch(line -> read.getLineNumber() >= line && read.getLineNumber() <= line + 2)) {
            events.add(SimpleConditionEvent.violated(unit, read.getDescription() + " is passed to a logger"));
          }
        }
      }
    };
  }

  @Test
  @DisplayName("no production class writes to System.out/err or FileDescriptor.out/err or calls printStackTrace (Main's CLI output excepted)")
  void noStandardStreams() {
    NO_STANDARD_STREAMS.check(production);
  }

  @Test
  @DisplayName("no production log call is given a field or accessor named like password/token/secret")
  void noSecretFieldsLogged() {
    NO_SECRETS_AS_LOG_ARGUMENTS.check(production);
  }

  @Test
  @DisplayName("no production log call builds its message with + or String.format, or passes a secret-named variable")
  void parameterisedMessagesOnly() throws IOException {
    List<String> violations = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN_SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        violations.addAll(SourceLogCalls.violations(file.toString(), Files.readString(file)));
      }
    }
    assertThat(violations).isEmpty();
  }

  @Test
  @DisplayName("each rule really fails on a class that breaks it")
  void rulesCatchViolations() throws IOException {
    JavaClasses bad = new ClassFileImporter().importClasses(NonCompliantLogging.class);
    EvaluationResult streams = NO_STANDARD_STREAMS.evaluate(bad);
    assertThat(streams.getFailureReport().getDetails()).anyMatch(d -> d.contains("System.out"))
        .anyMatch(d -> d.contains("System.err")).anyMatch(d -> d.contains("printStackTrace"));
    EvaluationResult secrets = NO_SECRETS_AS_LOG_ARGUMENTS.evaluate(bad);
    assertThat(secrets.getFailureReport().getDetails()).anyMatch(d -> d.contains("password"))
        .anyMatch(d -> d.contains("token()"));

    String source = Files.readString(Path.of("src/test/java/io/xredline/observability/fixtures/NonCompliantLogging.java"));
    assertThat(SourceLogCalls.violations("NonCompliantLogging.java", source))
        .anyMatch(v -> v.contains("concatenation")).anyMatch(v -> v.contains("String.format"));
    assertThat(SourceLogCalls.violations("x.java", "class X { void f(String password) { LOG.info(\"x {}\", password); } }"))
        .anyMatch(v -> v.contains("password"));
    assertThat(SourceLogCalls.violations("ok.java",
        "class X { void f() { LOG.info(\"user {} said \\\"a + b\\\"\", user, Secrets.mask(token)); } }")).isEmpty();
  }

  /** Finds {@code X.level(…)} log calls in source and inspects their arguments outside string literals. */
  static final class SourceLogCalls {
    private static final Pattern CALL = Pattern.compile("\\b(LOG|LOGGER|log|logger|LIFECYCLE|ACCESS)\\.(trace|debug|info|warn|error)\\(");
    private static final Pattern SECRET_IDENTIFIER = Pattern.compile("(?i)\\b[a-z_]*(password|passwd|secret|token)[a-z_]*\\b");

    static List<String> violations(String file, String source) {
      List<String> out = new ArrayList<>();
      Matcher m = CALL.matcher(source);
      while (m.find()) {
        String args = arguments(source, m.end());
        String code = args.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"").replaceAll("'(?:[^'\\\\]|\\\\.)'", "''");
        String where = file + ":" + (source.substring(0, m.start()).split("\n", -1).length) + " ";
        if (code.matches("(?s).*(\"\"\\s*\\+|\\+\\s*\"\").*")) {
          out.add(where + "string concatenation in a log call: " + args.strip());
        }
        if (code.contains("String.format(") || code.contains(".formatted(")) {
          out.add(where + "String.format in a log call: " + args.strip());
        }
        String unmasked = code.replaceAll("(?i)\\b[\\w.]*mask\\w*\\([^)]*\\)", "masked");
        Matcher secret = SECRET_IDENTIFIER.matcher(unmasked);
        while (secret.find()) {
          out.add(where + "secret-named value '" + secret.group() + "' passed to a logger");
        }
      }
      return out;
    }

    /** The text up to the parenthesis that closes the call, skipping string literals. */
    private static String arguments(String source, int from) {
      int depth = 1;
      boolean inString = false;
      for (int i = from; i < source.length(); i++) {
        char c = source.charAt(i);
        if (inString) {
          if (c == '\\') {
            i++;
          } else if (c == '"') {
            inString = false;
          }
        } else if (c == '"') {
          inString = true;
        } else if (c == '(') {
          depth++;
        } else if (c == ')' && --depth == 0) {
          return source.substring(from, i);
        }
      }
      return source.substring(from);
    }
  }
}
