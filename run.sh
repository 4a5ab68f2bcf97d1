#!/usr/bin/env bash
# fanout's two commands.
#   ./run.sh [serve options]       build the jar if it is missing or stale, then serve
#   ./run.sh test                  run the test suite (mvn -B verify; installs Chromium when missing)
#   ./run.sh SUBCOMMAND [args...]  run a subcommand: serve, fetch, enqueue, migrate, help
# Works from any directory; relative file arguments are taken from where you run it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAR="$ROOT/target/fanout.jar"

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "run.sh: $1 is required ($2)" >&2; exit 1; }
}

stale() {
  [ ! -f "$JAR" ] && return 0
  [ -n "$(find "$ROOT/pom.xml" "$ROOT/src/main" "$ROOT/conf" -newer "$JAR" -print -quit 2>/dev/null)" ]
}

build() {
  need mvn "install Apache Maven 3.8+"
  echo "run.sh: building target/fanout.jar (the first build downloads dependencies) ..." >&2
  local log; log="$(mktemp)"
  if ! (cd "$ROOT" && mvn -B -q -Dstyle.color=never -DskipTests package) > "$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "run.sh: the build failed" >&2
    exit 1
  fi
  rm -f "$log"
}

# The JDK: $JAVA_HOME's when it is set, else the `java` on the PATH; 17 or newer. The newest JDK
# found is not preferred: on this project's benchmarks Java 25 with its ahead-of-time cache
# (JEP 483/515, trained on a real fetch run) was no faster than 17 with a class-data archive for a
# cold 20,000-URL fetch (7.6-8.6k against 8.6-10.2k URLs/s, 140 MB against 95 MB peak RSS) or for a
# fresh server's first 20,000 jobs (7.3-7.7k against 7.1-7.9k jobs/s): docs/benchmarks.md.
pick_java() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    JAVA="$JAVA_HOME/bin/java"
  else
    need java "install a JDK 17 or newer, or set JAVA_HOME"
    JAVA="$(command -v java)"
  fi
  # the version from the JDK's release file (no JVM start), else from `java -version`
  local home version
  home="$(dirname "$(dirname "$(readlink -f "$JAVA")")")"
  version="$(sed -n 's/^JAVA_VERSION="\(.*\)"/\1/p' "$home/release" 2>/dev/null || true)"
  [ -n "$version" ] || version="$("$JAVA" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -1)"
  local major="${version%%.*}"
  if ! [ "$major" -ge 17 ] 2>/dev/null; then
    echo "run.sh: $JAVA is Java ${version:-of an unknown version}; fanout needs 17 or newer (set JAVA_HOME)" >&2
    exit 1
  fi
  # an archive belongs to the JVM build that made it: one per version
  CDS="$ROOT/target/fanout-jdk$version.jsa"
}

# A class-data archive (AppCDS) of the classes start-up loads halves the JVM's start-up (about
# 1.4 s to 0.7 s here). It is made after each build by one run that starts Vert.x and the
# fetchers and fetches nothing; when it cannot be made, fanout starts without it. (An archive
# trained on a real fetch, with the fetch path's classes too, measured no faster.)
archive() {
  rm -f "$CDS"
  "$JAVA" -XX:ArchiveClassesAtExit="$CDS" -Xlog:disable -XX:+UseSerialGC -jar "$JAR" fetch - \
    < /dev/null > /dev/null 2>&1 || rm -f "$CDS"
}

# The lines of the URL list `fetch` reads, when it is a file (a pipe cannot be counted ahead):
# the first argument after `fetch` that is not an option or an option's value. Empty if unknown.
fetch_lines() {
  shift # fetch
  local a skip=0
  for a in "$@"; do
    if [ "$skip" = 1 ]; then skip=0; continue; fi
    case "$a" in
      --ordered|--local|-h|--help|-V|--version) ;;
      --*=*) ;;
      -) return 0 ;;
      -*) skip=1 ;;
      *) [ -f "$a" ] && wc -l < "$a" | tr -d ' '; return 0 ;;
    esac
  done
}

# The browser test (DashboardBrowserTest) drives Debian's headless Chromium. When it is missing,
# `./run.sh test` installs chromium and chromium-driver with apt-get, as root or through sudo -n
# (about 75 s on a clean machine); when it cannot, it says so and goes on, and that test fails
# saying how to install them.
browser() {
  [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && return 0
  local as=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      as=(sudo -n)
    else
      echo "run.sh: /usr/bin/chromium is missing and this user cannot install it (not root, no sudo -n);" \
        "the browser test will fail: apt-get install chromium chromium-driver" >&2
      return 0
    fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "run.sh: /usr/bin/chromium is missing and there is no apt-get; the browser test will fail" >&2
    return 0
  fi
  echo "run.sh: installing Debian's chromium and chromium-driver for the browser test (apt-get, about a minute) ..." >&2
  local log; log="$(mktemp)"
  if ${as[@]+"${as[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get update -qq > "$log" 2>&1 \
      && ${as[@]+"${as[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver \
      >> "$log" 2>&1; then
    rm -f "$log"
    echo "run.sh: installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium)" >&2
  else
    echo "run.sh: installing chromium failed (apt-get's output: $log); the browser test will fail" >&2
  fi
}

if [ "${1:-}" = "test" ]; then
  shift
  need mvn "install Apache Maven 3.8+"
  browser
  cd "$ROOT"
  exec mvn -B verify "$@"
fi

pick_java
if stale; then
  build
fi
if [ ! -f "$CDS" ] || [ "$JAR" -nt "$CDS" ]; then
  archive
fi
CDS_OPTS=()
if [ -f "$CDS" ]; then
  # JVM warnings (such as an archive that no longer matches) go to stderr, never into stdout's NDJSON
  CDS_OPTS=(-XX:SharedArchiveFile="$CDS" -Xlog:disable -Xlog:all=warning:stderr)
fi

export FANOUT_CONF="${FANOUT_CONF:-$ROOT/conf/config.json}"
# the embedded database lives in the project's data/ unless told otherwise
export FANOUT_DATA_DIR="${FANOUT_DATA_DIR:-$ROOT/data}"
# plugin jars (user verticles) are read from the project's plugins/ unless told otherwise
export FANOUT_PLUGINS_DIR="${FANOUT_PLUGINS_DIR:-$ROOT/plugins}"
# The command-line tools (fetch, enqueue) run with the serial collector unless FANOUT_JAVA_OPTS
# picks one: a one-process batch tool has no use for G1's concurrent work, and measured on
# bench/fetch.sh it spends 8 % less CPU and a third less memory. The service keeps the default.
GC=""
case "${1:-}" in
  fetch|enqueue) case "${FANOUT_JAVA_OPTS:-}" in *Use*GC*) ;; *) GC="-XX:+UseSerialGC" ;; esac ;;
esac
# A short run is over before C2, the optimising compiler, pays for itself: in a cold 20,000-URL
# fetch it compiled for 3.4 of the 9 CPU-seconds. With C1 alone such a run takes half the CPU and
# is 1.5-1.8 times as fast; from about 150,000 URLs on, C2's faster code wins (300,000 URLs:
# 16-19k URLs/s against 13-14k). So `fetch` of a file under 150,000 lines, and `enqueue` (which
# waits on the server), run with C1 only and a small initial heap (peak RSS 95 MB, not 130-230);
# FANOUT_JAVA_OPTS can say otherwise. Measured in docs/benchmarks.md ("Cold runs").
JIT=""
case "${1:-}" in
  fetch) lines="$(fetch_lines "$@")"; [ -n "$lines" ] && [ "$lines" -lt 150000 ] && JIT="-XX:TieredStopAtLevel=1 -Xms16m" ;;
  enqueue|migrate) JIT="-XX:TieredStopAtLevel=1 -Xms16m" ;;
esac
# An OutOfMemoryError ends the process (exit code 3) rather than leaving it running with
# half-updated state (a permit taken and never given back): a supervisor restarts it. The same
# for the command-line tools: a batch that cannot finish should say so, not hang.
OOM="-XX:+ExitOnOutOfMemoryError"
# shellcheck disable=SC2086
exec "$JAVA" $OOM $GC $JIT ${CDS_OPTS[@]+"${CDS_OPTS[@]}"} ${FANOUT_JAVA_OPTS:-} -jar "$JAR" "$@"
