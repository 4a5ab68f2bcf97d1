#!/usr/bin/env bash
# Blocking job handlers on platform worker threads vs virtual threads (BlockingThreadsBench):
# 5,000 jobs whose handler blocks 20 ms, 200 in flight, on Java 17 and, when present, Java 25.
# Usage: bench/blocking-threads.sh [JAVA_HOME...]   (builds the test classes through the lock wrapper)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
MVN=${MVN:-/work/mvnl}
"$MVN" -o -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-cp.txt -Dmdep.includeScope=test
CP="target/classes:target/test-classes:$(cat target/bench-cp.txt)"
homes=("$@")
if [ ${#homes[@]} -eq 0 ]; then
  homes=(/usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/temurin-25-jdk-amd64)
fi
for home in "${homes[@]}"; do
  [ -x "$home/bin/java" ] || { echo "no java in $home" >&2; continue; }
  "$home/bin/java" -Xmx512m -Dlogback.configurationFile=/dev/null -cp "$CP" dev.fanout.queue.BlockingThreadsBench
done
