# shellcheck shell=bash
# Class-data sharing (AppCDS) for the fat jar, shared by scripts/run and scripts/cds-archive.
# An archive holds the jar's classes already parsed and verified, so a JVM started with
# -XX:SharedArchiveFile maps them instead of loading ~7,900 classes one by one (about a third of
# the time to ready). JDK 17 has no -XX:+AutoCreateSharedArchive (JDK 19+), so an archive is
# recorded by a run with -XX:ArchiveClassesAtExit and checked here before anything uses it: the JVM
# only warns about an archive made from another jar or JDK, but crashes (SIGBUS) on a truncated one,
# which is what a run killed in the middle of writing it leaves behind.
# Portable to macOS's bash 3.2 and BSD tools.

# The java on PATH with its symlinks resolved (readlink without -f, which BSD lacks), so that an
# updated JDK counts as newer than an archive; a launcher stub (macOS /usr/bin/java) does not
# change, and the JVM then only warns that the archive is from another JDK and runs without it.
cds_java_binary() {
  local java link
  java="$(command -v java)"
  while [[ -L "$java" ]]; do
    link="$(readlink "$java")"
    case "$link" in
      /*) java="$link" ;;
      *) java="$(dirname "$java")/$link" ;;
    esac
  done
  printf '%s\n' "$java"
}

# cds_current JAR FILE: neither the jar nor the JDK changed since FILE was written (test -nt
# compares modification times in bash 3.2 too; no stat, whose flags differ between GNU and BSD)
cds_current() {
  [[ -f "$2" && ! "$1" -nt "$2" && ! "$(cds_java_binary)" -nt "$2" ]]
}

# cds_usable JAR ARCHIVE: the JVM maps ARCHIVE for JAR and its regions match the checksums the
# archive records (-Xshare:on refuses a mismatched archive with exit 1, VerifySharedSpaces one with
# a changed byte, and a truncated one crashes the JVM; all three are a no). The subshell keeps
# bash's "Aborted" report quiet; the crash leaves neither an hs_err file nor a core dump behind.
cds_usable() {
  (java -Xshare:on -XX:+VerifySharedSpaces -XX:SharedArchiveFile="$2" -XX:ErrorFile=/dev/null \
    -XX:-CreateCoredumpOnCrash -jar "$1" --help) >/dev/null 2>&1
}

# cds_install JAR RECORDED ARCHIVE: moves a freshly recorded archive into place when the JVM can
# use it, else deletes it. The rename is atomic: a JVM starting meanwhile sees no archive or a
# whole one.
cds_install() {
  if [[ -s "$2" ]] && cds_usable "$1" "$2"; then
    mv -f "$2" "$3"
  else
    rm -f "$2"
    return 1
  fi
}
