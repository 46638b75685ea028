package io.xredline.scripts;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * scripts/run and scripts/test (and what they source) must run under macOS's bash 3.2 and BSD
 * userland. No macOS machine builds this project, so the known bash-4 and GNU-only constructs are
 * looked for here, line by line, next to shellcheck --shell=bash.
 */
@DisplayName("scripts/run and scripts/test run under bash 3.2 and BSD userland")
class ScriptPortabilityTest {
  private static final Path ROOT = Path.of("").toAbsolutePath();
  private static final List<String> ENTRY_POINTS = List.of("scripts/run", "scripts/test");

  /** Construct -> why it breaks on a Mac. Matched against code with comments and quoted text of comments removed. */
  private static final Map<String, Pattern> FORBIDDEN = Map.ofEntries(
      Map.entry("mapfile/readarray (bash 4.0)", Pattern.compile("\\b(mapfile|readarray)\\b")),
      Map.entry("associative array or nameref (bash 4.0/4.3)", Pattern.compile("\\b(declare|local|typeset|readonly)\\s+(-[a-zA-Z]*[An][a-zA-Z]*)\\b")),
      Map.entry("case modification ${v,,} ${v^^} (bash 4.0)", Pattern.compile("\\$\\{[#!]?[A-Za-z_][A-Za-z0-9_]*(\\[[^]]*])?(,,?|\\^\\^?)[^}]*}")),
      Map.entry("${v@Q}-style transformation (bash 4.4)", Pattern.compile("\\$\\{[A-Za-z_][A-Za-z0-9_]*(\\[[^]]*])?@[QEPAaKkUuL]}")),
      Map.entry("|& or &>> (bash 4.0)", Pattern.compile("\\|&|&>>")),
      Map.entry(";& or ;;& case fall-through (bash 4.0)", Pattern.compile(";;&|;&")),
      Map.entry("coproc (bash 4.0)", Pattern.compile("\\bcoproc\\b")),
      Map.entry("shopt option newer than bash 3.2", Pattern.compile("\\bshopt\\s+-[su]\\s+.*\\b(globstar|lastpipe|inherit_errexit|autocd|dirspell|checkjobs|direxpand|globasciiranges|localvar_inherit|localvar_unset|assoc_expand_once|patsub_replacement|compat\\d+)\\b")),
      Map.entry("wait -n (bash 4.3)", Pattern.compile("\\bwait\\s+-n\\b")),
      Map.entry("[[ -v ]] / test -v (bash 4.2)", Pattern.compile("(\\[\\[|\\btest|\\[)\\s+(!\\s+)?-v\\s")),
      Map.entry("$EPOCHSECONDS/$EPOCHREALTIME/$BASHPID/$BASH_ARGV0 (bash 4-5)", Pattern.compile("\\$\\{?(EPOCHSECONDS|EPOCHREALTIME|BASHPID|BASH_ARGV0|SRANDOM|READLINE_ARGUMENT)\\b")),
      Map.entry("printf %(...)T (bash 4.2)", Pattern.compile("printf\\b.*%\\([^)]*\\)T")),
      Map.entry("negative array subscript (bash 4.3)", Pattern.compile("\\$\\{[A-Za-z_][A-Za-z0-9_]*\\[\\s*-\\s*\\d+\\s*]}")),
      Map.entry("brace expansion with step or zero padding (bash 4.0)", Pattern.compile("\\{-?\\d+\\.\\.-?\\d+\\.\\.-?\\d+}|\\{0\\d+\\.\\.\\d+}")),
      Map.entry("read -N / -i (bash 4.0/4.1)", Pattern.compile("\\bread\\b(\\s+-[a-zA-Z]+)*\\s+-[a-zA-Z]*[Ni]")),
      Map.entry("readlink -f / realpath (GNU; realpath is missing before macOS 13)", Pattern.compile("\\breadlink\\s+(-[a-zA-Z]*\\s+)*-[a-zA-Z]*f|\\brealpath\\b")),
      Map.entry("sed -i (BSD sed needs a suffix argument; write a temp file instead)", Pattern.compile("\\bsed\\b[^|;&]*\\s-[a-zA-Z]*i")),
      Map.entry("sed -r (GNU; use -E)", Pattern.compile("\\bsed\\b[^|;&]*\\s-[a-zA-Z]*r\\b")),
      Map.entry("grep -P (GNU only)", Pattern.compile("\\bgrep\\b[^|;&]*\\s(-[a-zA-Z]*P|--perl-regexp)\\b")),
      Map.entry("date -d / --date (GNU; BSD date uses -j -f)", Pattern.compile("\\bdate\\b[^|;&]*\\s(-d\\b|--date)")),
      Map.entry("stat -c / --format (GNU; BSD stat uses -f)", Pattern.compile("\\bstat\\b[^|;&]*\\s(-c\\b|--format|--printf)")),
      Map.entry("find -printf / -regextype (GNU)", Pattern.compile("\\bfind\\b[^|;&]*\\s-(printf|fprintf|regextype)\\b")),
      Map.entry("xargs -r / --no-run-if-empty (GNU)", Pattern.compile("\\bxargs\\b[^|;&]*\\s(-[a-zA-Z]*r\\b|--no-run-if-empty)")),
      Map.entry("GNU long option of a coreutils command", Pattern.compile("\\b(cp|mv|rm|ln|mkdir|ls|stat|date|head|tail|sort|uniq|cut|tr|wc|du|df|touch|mktemp|basename|dirname|install|chmod|chown)\\b[^|;&]*\\s--[a-z]")),
      Map.entry("head -n -N / tail --pid (GNU)", Pattern.compile("\\bhead\\s+(-n\\s*)?-\\d|\\btail\\b.*--pid")),
      Map.entry("command missing on macOS (timeout, nproc, tac, numfmt, getent, md5sum, sha256sum, setpriv)", Pattern.compile("(^|[;&|(`]|\\$\\(|\\bthen|\\bdo|\\belse)\\s*(timeout|nproc|tac|numfmt|getent|md5sum|sha256sum|sha1sum|setpriv)\\b")),
      Map.entry("base64 -w / du -b / mktemp -p / install -D (GNU)", Pattern.compile("\\bbase64\\b[^|;&]*\\s-w|\\bdu\\b[^|;&]*\\s-[a-zA-Z]*b|\\bmktemp\\b[^|;&]*\\s-p\\b|\\binstall\\b[^|;&]*\\s-[a-zA-Z]*D")));

  // "${a[@]}" of an empty array is "unbound" under set -u before bash 4.4: write ${a[@]+"${a[@]}"}
  private static final Pattern GUARDED_ARRAY = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)\\[@]\\+\"\\$\\{\\1\\[@]}\"}");
  private static final Pattern ARRAY_EXPANSION = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)\\[@]}");
  private static final Pattern SOURCED = Pattern.compile("^\\s*(?:source|\\.)\\s+\"?\\$(?:\\{ROOT}|ROOT)/([^\"\\s]+)\"?");

  /** scripts/run, scripts/test and every file they source, transitively. */
  static Set<Path> scripts() throws IOException {
    Set<Path> seen = new LinkedHashSet<>();
    List<Path> todo = new ArrayList<>(ENTRY_POINTS.stream().map(ROOT::resolve).toList());
    while (!todo.isEmpty()) {
      Path file = todo.remove(0);
      if (!seen.add(file)) {
        continue;
      }
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        Matcher m = SOURCED.matcher(line);
        if (m.find()) {
          todo.add(ROOT.resolve(m.group(1)));
        }
      }
    }
    return seen;
  }

  /**
   * The shell code of a line: comments dropped, the text of quoted strings dropped (so a message
   * that mentions setpriv is no use of it), expansions inside double quotes kept.
   */
  static String code(String line) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    int n = line.length();
    while (i < n) {
      char c = line.charAt(i);
      if (c == '\\' && i + 1 < n) {
        out.append(c).append(line.charAt(i + 1));
        i += 2;
      } else if (c == '\'') {
        int end = line.indexOf('\'', i + 1);
        out.append("''");
        i = end < 0 ? n : end + 1;
      } else if (c == '"') {
        out.append('"');
        i++;
        while (i < n && line.charAt(i) != '"') {
          if (line.charAt(i) == '\\') {
            i += 2;
          } else if (line.charAt(i) == '$' && i + 1 < n && (line.charAt(i + 1) == '{' || line.charAt(i + 1) == '(')) {
            int end = closing(line, i + 1);
            out.append(line, i, end);
            i = end;
          } else if (line.charAt(i) == '$') {
            out.append('$');
            i++;
          } else {
            i++;
          }
        }
        out.append('"');
        i++;
      } else if (c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
        break;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  /** Index just past the bracket matching the one at {@code open}. */
  private static int closing(String line, int open) {
    char o = line.charAt(open);
    char close = o == '{' ? '}' : ')';
    int depth = 0;
    for (int i = open; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == o) {
        depth++;
      } else if (c == close && --depth == 0) {
        return i + 1;
      }
    }
    return line.length();
  }

  static List<String> problems(String fileName, List<String> lines) {
    List<String> found = new ArrayList<>();
    boolean nounset = lines.stream().anyMatch(l -> code(l).matches("\\s*set\\s+-[a-zA-Z]*u.*|\\s*set\\s+-o\\s+nounset.*"));
    for (int i = 0; i < lines.size(); i++) {
      String code = code(lines.get(i));
      if (code.isBlank() || lines.get(i).strip().startsWith("#")) {
        continue;
      }
      for (var rule : FORBIDDEN.entrySet()) {
        // a printf format is quoted text: look at the line as written
        String subject = rule.getKey().startsWith("printf") ? lines.get(i) : code;
        if (rule.getValue().matcher(subject).find()) {
          found.add(fileName + ":" + (i + 1) + ": " + rule.getKey() + ": " + lines.get(i).strip());
        }
      }
      if (nounset && ARRAY_EXPANSION.matcher(GUARDED_ARRAY.matcher(code).replaceAll("")).find()) {
        found.add(fileName + ":" + (i + 1) + ": unguarded \"${a[@]}\" under set -u (bash < 4.4 fails on an empty array;"
            + " write ${a[@]+\"${a[@]}\"}): " + lines.get(i).strip());
      }
    }
    return found;
  }

  @Test
  @DisplayName("scripts/run, scripts/test and scripts/lib/frontend.sh are the files checked")
  void filesFound() throws IOException {
    assertThat(scripts()).extracting(p -> ROOT.relativize(p).toString().replace('\\', '/'))
        .contains("scripts/run", "scripts/test", "scripts/lib/frontend.sh");
  }

  @Test
  @DisplayName("none of them uses a bash-4 feature or a GNU-only flag")
  void noBash4OrGnuOnly() throws IOException {
    List<String> found = new ArrayList<>();
    for (Path script : scripts()) {
      found.addAll(problems(ROOT.relativize(script).toString(), Files.readAllLines(script, StandardCharsets.UTF_8)));
    }
    assertThat(found).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "mapfile -t lines < <(ls)",
      "declare -A seen=()",
      "local -n ref=$1",
      "echo \"${name,,}\"",
      "echo \"${name^^}\"",
      "echo \"${name@Q}\"",
      "make |& tee log",
      "cmd &>> log",
      "  a) echo a ;;&",
      "coproc worker { cat; }",
      "shopt -s globstar",
      "wait -n",
      "if [[ -v HOME ]]; then :; fi",
      "start=$EPOCHSECONDS",
      "printf '%(%F)T\\n' -1",
      "echo \"${arr[-1]}\"",
      "for i in {1..10..2}; do :; done",
      "read -r -N 1 key",
      "here=$(readlink -f \"$0\")",
      "here=$(realpath \"$0\")",
      "sed -i 's/a/b/' file",
      "sed -r 's/(a)/b/' file",
      "grep -P '\\d+' file",
      "date -d yesterday",
      "stat -c %s file",
      "find . -printf '%p'",
      "ls | xargs -r rm",
      "cp --parents a b",
      "head -n -1 file",
      "timeout 5 curl localhost",
      "n=$(nproc)",
      "getent passwd 0",
      "base64 -w0 file",
      "mktemp -p /tmp",
      "echo \"$(readlink -f \"$0\")\"",
      "dir=\"$(cd \"$(dirname \"$0\")\" && timeout 3 pwd)\"",
  })
  @DisplayName("the checker flags each known construct")
  void flagsBadLines(String line) {
    assertThat(problems("sample", List.of(line))).as(line).hasSize(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "exec java ${java_opts[@]+\"${java_opts[@]}\"} -jar \"$JAR\" \"$@\"",
      "find \"$dir\" -newer \"$ref\" -type f -print -quit",
      "read -r -a java_opts <<<\"${JAVA_OPTS:-}\"",
      "case \"$1\" in a) echo a ;; esac",
      "sed -E 's/a/b/' file",
      "grep -q PONG",
      "echo \"${name:-default}\" \"${#name}\" \"${name%/*}\"",
      "# mapfile is bash 4 (a comment)",
      "mvn -B -q --no-transfer-progress package",
      "npm ci --no-audit --no-fund",
      "rm -rf \"$root/target/classes/webroot\"",
      "echo \"needs setpriv, getent and --long options\" >&2",
      "step 'mapfile is not used; sed -i neither'",
  })
  @DisplayName("and leaves portable lines alone")
  void passesGoodLines(String line) {
    assertThat(problems("sample", List.of("set -euo pipefail", line))).as(line).isEmpty();
  }

  @Test
  @DisplayName("an unguarded array expansion is flagged only under set -u")
  void arrayGuard() {
    assertThat(problems("sample", List.of("set -euo pipefail", "java \"${opts[@]}\""))).hasSize(1);
    assertThat(problems("sample", List.of("java \"${opts[@]}\""))).isEmpty();
  }

  @Test
  @DisplayName("shellcheck --shell=bash passes on each of them")
  void shellcheck() throws Exception {
    assumeThat(onPath("shellcheck")).as("shellcheck installed (scripts/check-ops installs it as root)").isTrue();
    List<String> command = new ArrayList<>(List.of("shellcheck", "--shell=bash", "-x", "-P", ROOT.toString()));
    scripts().forEach(p -> command.add(p.toString()));
    Process process = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
  }

  static boolean onPath(String tool) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }
}
