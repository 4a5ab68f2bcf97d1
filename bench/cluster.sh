#!/usr/bin/env bash
# bench/cluster.sh — a cluster of 1, 2 and 3 fanout nodes on this machine, one PostgreSQL (node A's
# embedded server serving the others, as docs/operations.md "A cluster" describes):
#   - fetches: gathers of 1000 URLs (32 target hosts, 0 ms) sent to every node's HTTP API at once;
#   - no-op jobs: N echo jobs inserted runnable from one moment on, drained by every node's worker;
#   - the per-host limit as the target sees it: one gather per node of 120 slow URLs (100 ms) on
#     one host, and the most requests in flight and connections open the target saw at once.
# Nodes join one by one (1, then 2, then 3); each count gets an unmeasured warm-up round first.
# Ceilings measured in the same run on the same target and database: the bare Vert.x client
# (bench/BareClient.java) for fetches, pgbench's claim-then-complete (fanout's statements' shape,
# 50 a claim) for jobs. This machine has two cores, so more nodes cannot be faster: the figures
# that matter are the CPU each node spends per 1000 fetches and per 1000 jobs (from
# /proc/<pid>/stat), and the per-host limit observed (fetch.perHost, 4 by default).
#
#   bench/cluster.sh                       # N_FETCH = 30000, N_JOBS = 20000
#   N_FETCH=60000 N_JOBS=50000 NODES="1 2" bench/cluster.sh
#
# Writes the table to bench/last-cluster.txt. fanout runs through ./run.sh (it builds the jar when
# stale); the target (bench/ClusterTarget.java) and the bare client run on fanout.jar's class path.
# Installs curl and pgbench/psql (postgresql-client) if missing. Traffic only to 127.0.0.1.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
OUT="${OUT:-$ROOT/bench/out/cluster}"
N_FETCH="${N_FETCH:-30000}"          # fetches per measured round (gathers of 1000)
N_JOBS="${N_JOBS:-20000}"            # echo jobs per measured round
NODES="${NODES:-1 2 3}"
HOSTS="${HOSTS:-32}"                 # target ports (hosts) for the throughput rounds
BASE="${BASE:-18200}"                # target control port; the hosts follow it
HTTP0="${HTTP0:-18190}"              # node i's HTTP port: HTTP0 + i
CLUSTER_PORT="${CLUSTER_PORT:-15801}"
PER_HOST="${PER_HOST:-4}"
LEAD="${LEAD:-3}"                    # seconds between inserting a jobs round and its runAt
NAMES=(a b c d e)
PIDS=()

cleanup() {
  local i
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do kill "${PIDS[$i]}" 2>/dev/null && wait "${PIDS[$i]}" 2>/dev/null || true; done
  [ -n "${TARGET_PID:-}" ] && kill "$TARGET_PID" 2>/dev/null || true
}

ms() { date +%s%3N; }
ticks_ms() { echo $(($1 * 1000 / $(getconf CLK_TCK))); }
# a process's own CPU (user + system), ms
cpu_ms() {
  local f; f=($(sed 's/.*) //' "/proc/$1/stat")); ticks_ms $((f[11] + f[12]))
}
# PostgreSQL's CPU, ms: the postmaster, its live backends, and the ones that ended (reaped)
pg_cpu_ms() {
  local pm t=0 p f; pm=$(pgrep -f -- "-D $OUT/a/pg " | head -1)
  for p in "$pm" $(pgrep -P "$pm"); do
    f=($(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null)) && [ ${#f[@]} -gt 14 ] && t=$((t + f[11] + f[12]))
    [ "$p" = "$pm" ] && t=$((t + f[13] + f[14]))
  done
  ticks_ms $t
}
cpu_all() { local p; for p in "${PIDS[@]}"; do printf '%s ' "$(cpu_ms "$p")"; done; pg_cpu_ms; }

start_node() { # index
  local i=$1 name=${NAMES[$1]} env=()
  mkdir -p "$OUT/$name"
  if [ "$i" = 0 ]; then
    env=(FANOUT_CLUSTER_EMBEDDED_DATABASE=true)
  else
    env=(FANOUT_PG_URL="postgresql://postgres:$(cat "$OUT/a/pg-password")@127.0.0.1:$PGPORT/postgres")
  fi
  env "${env[@]}" FANOUT_DATA_DIR="$OUT/$name" FANOUT_HTTP_PORT=$((HTTP0 + i)) FANOUT_CLUSTER_NAME="$CLUSTER" \
    FANOUT_CLUSTER_MEMBERS="127.0.0.1:$CLUSTER_PORT" FANOUT_CLUSTER_PORT=$CLUSTER_PORT FANOUT_EGRESS_ALLOW=127.0.0.1/32 \
    FANOUT_FETCH_PER_HOST=$PER_HOST FANOUT_PG_POOL_SIZE=8 \
    FANOUT_JAVA_OPTS="-Xmx512m ${FANOUT_JAVA_OPTS:-}" "$ROOT/run.sh" serve --cluster > "$OUT/$name.log" 2>&1 &
  PIDS+=($!)
  local _
  for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$((HTTP0 + i))/health/ready" >/dev/null && break; sleep 0.2; done
  curl -sf "http://127.0.0.1:$((HTTP0 + i))/health/ready" >/dev/null || { echo "bench: node $name not ready" >&2; tail "$OUT/$name.log" >&2; exit 1; }
  # every node lists all of them before anything is measured
  for _ in $(seq 1 100); do
    [ "$(curl -sf "http://127.0.0.1:$HTTP0/v1/cluster" | grep -o '"id"' | wc -l)" -ge $((i + 1)) ] && break; sleep 0.2
  done
}

# N fetches as gathers of 1000 URLs, spread over every node's API, two at a time per node
fetch_round() { # N -> elapsed ms
  local n=$1 k=${#PIDS[@]} r t0
  local args=(-s -Z --parallel-max $((2 * k)))
  for ((r = 0; r < n / 1000; r++)); do
    [ ${#args[@]} -gt 4 ] && args+=(--next)
    args+=(-f -H 'Content-Type: application/json' --data-binary "@$OUT/gather.json" -o "$OUT/g/$r.json"
      "http://127.0.0.1:$((HTTP0 + r % k))/v1/fetch")
  done
  rm -rf "$OUT/g" && mkdir -p "$OUT/g"
  t0=$(ms)
  curl "${args[@]}" 2> "$OUT/curl.err" || { echo "bench: a gather failed" >&2; cat "$OUT/curl.err" >&2; exit 1; }
  echo $(($(ms) - t0))
  [ "$(cat "$OUT"/g/*.json | grep -o '"ok":1000' | wc -l)" = $((n / 1000)) ] || { echo "bench: fetches failed" >&2; exit 1; }
}

# N echo jobs (inserted in one statement a few seconds ahead, so the insert is not measured)
# runnable at one moment, then the NOTIFY an enqueue sends -> "ms from runAt to the last done|cpu|cpu"
jobs_round() { # N
  local n=$1 start; start=$(( $(date +%s) + LEAD ))
  psql -qtA -c "INSERT INTO fanout_job (kind, payload, run_at, state) SELECT 'echo', jsonb_build_object('n', g),
    to_timestamp($start), 'scheduled' FROM generate_series(1, $n) g" > /dev/null
  [ "$(date +%s)" -lt "$start" ] || { echo "bench: the insert took longer than LEAD; raise it" >&2; exit 1; }
  sleep "$(awk -v d=$((start * 1000 - $(ms))) 'BEGIN { printf "%.3f", (d > 0 ? d : 0) / 1000 }')"
  local c0; c0=$(cpu_all)
  # what an enqueue sends at its commit: every node's worker wakes and claims (no poll to wait for)
  psql -qtA -c "SELECT pg_notify('fanout_jobs', 'echo')" > /dev/null
  while [ "$(psql -qtA -c "SELECT count(*) FROM fanout_job WHERE run_at = to_timestamp($start) AND state = 'completed'")" != "$n" ]; do
    sleep 0.1
  done
  local c1; c1=$(cpu_all)
  local took; took=$(psql -qtA -c "SELECT round(extract(epoch FROM max(finalized_at) - to_timestamp($start)) * 1000)
    FROM fanout_job WHERE run_at = to_timestamp($start)")
  echo "$took|$c0|$c1"
}

per1000() { # "cpu0..." "cpu1..." N -> "x y z" ms of CPU per 1000
  awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { k = split(a, x, " "); split(b, y, " ");
    for (i = 1; i <= k; i++) printf "%s%.0f", (i > 1 ? "/" : ""), (y[i] - x[i]) * 1000 / n }'
}

main() {
  need_pkgs curl:curl pgbench:postgresql-client psql:postgresql-client
  rm -rf "$OUT" && mkdir -p "$OUT"
  trap cleanup EXIT
  CLUSTER="bench-$$"
  "$ROOT/run.sh" fetch --help > /dev/null   # builds the jar and the class-data archive when stale
  local ports=() i
  for ((i = 1; i <= HOSTS; i++)); do ports+=($((BASE + i))); done
  java -XX:+UseSerialGC -Xmx256m -cp "$ROOT/target/fanout.jar" "$ROOT/bench/ClusterTarget.java" "$BASE" "${ports[@]}" \
    2> "$OUT/target.log" &
  TARGET_PID=$!
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$BASE/stats" >/dev/null && break; sleep 0.2; done
  { printf '{"concurrency":256,"retries":0,"urls":['
    for ((i = 0; i < 1000; i++)); do [ $i -gt 0 ] && printf ','; printf '"http://127.0.0.1:%d/d0"' "${ports[$((i % HOSTS))]}"; done
    printf ']}'; } > "$OUT/gather.json"
  { printf '{"concurrency":120,"retries":0,"urls":['
    for ((i = 0; i < 120; i++)); do [ $i -gt 0 ] && printf ','; printf '"http://127.0.0.1:%d/d100"' "${ports[0]}"; done
    printf ']}'; } > "$OUT/slow.json"

  # the ceilings, before any node runs: the bare client on the same hosts (4 N: its second half is
  # past its JVM's warm-up), then (below) pgbench
  java -XX:+UseSerialGC -Xmx512m -cp "$ROOT/target/fanout.jar" "$ROOT/bench/BareClient.java" $((4 * N_FETCH)) 256 /d0 \
    "${ports[@]}" > /dev/null 2> "$OUT/bare.err"
  # its rate over the second half of its progress lines (one a second): after its JVM's start and warm-up
  local bare; bare=$(awk -F'[ /]' '/^progress:/ {d[++k] = $2} END { m = int(k / 2); printf "%d", (d[k] - d[m]) / (k - m) }' \
    "$OUT/bare.err")

  local header; header=$(printf "%-6s %-9s %-8s %-22s %-8s %-9s %-26s %-9s %-9s" nodes fetch/s vs-bare \
    "cpu-ms/1000f A/B/C/PG" jobs/s vs-pgb "cpu-ms/1000 jobs A/B/C/PG" host-max conns-max)
  local rows=() n
  for n in $NODES; do
    while [ ${#PIDS[@]} -lt "$n" ]; do
      start_node ${#PIDS[@]}
      if [ ${#PIDS[@]} = 1 ]; then
        PGPORT=$(grep -o 'embedded PostgreSQL in .* on 127.0.0.1:[0-9]*' "$OUT/a.log" | sed 's/.*://')
        export PGHOST=127.0.0.1 PGPORT PGUSER=postgres PGDATABASE=postgres PGPASSWORD="$(cat "$OUT/a/pg-password")"
      fi
    done
    fetch_round $((N_FETCH / 2)) > /dev/null          # warm-up (the newest node's JIT)
    jobs_round $((N_JOBS / 2)) > /dev/null
    local c0 c1 took rate jr jtook jc0 jc1 stats
    c0=$(cpu_all); took=$(fetch_round "$N_FETCH"); c1=$(cpu_all)
    rate=$((N_FETCH * 1000 / took))
    IFS='|' read -r jtook jc0 jc1 < <(jobs_round "$N_JOBS")
    jr=$((N_JOBS * 1000 / jtook))
    # the per-host limit: one slow gather on one host from every node at once
    curl -sf -X POST "http://127.0.0.1:$BASE/reset" > /dev/null
    local args=(-s -Z) j
    for ((j = 0; j < n; j++)); do
      [ $j -gt 0 ] && args+=(--next)
      args+=(-f -H 'Content-Type: application/json' --data-binary "@$OUT/slow.json" -o /dev/null "http://127.0.0.1:$((HTTP0 + j))/v1/fetch")
    done
    curl "${args[@]}" 2> "$OUT/curl.err" || { echo "bench: a slow gather failed" >&2; cat "$OUT/curl.err" >&2; exit 1; }
    stats=$(curl -sf "http://127.0.0.1:$BASE/stats" | grep -o "\"${ports[0]}\":{[^}]*}")
    local hmax cmax
    hmax=$(echo "$stats" | sed -E 's/.*"maxInFlight":([0-9]+).*/\1/')
    cmax=$(echo "$stats" | sed -E 's/.*"maxConnections":([0-9]+).*/\1/')
    rows+=("$(printf "%-6s %-9s %-8s %-22s %-8s %-9s %-26s %-9s %-9s" "$n" "$rate" "$((100 * rate / bare))%" \
      "$(per1000 "$c0" "$c1" "$N_FETCH")" "$jr" "JR%" "$(per1000 "$jc0" "$jc1" "$N_JOBS")" "$hmax" "$cmax")")
    echo "${rows[-1]}" >&2
  done

  # the jobs ceiling on the same database, on rows no node claims: claim 50 (to running), then complete them
  psql -qtA -c "INSERT INTO fanout_job (kind, payload) SELECT 'ceiling', jsonb_build_object('n', g)
    FROM generate_series(1, $N_JOBS) g" > /dev/null
  lifecycle_sql "$OUT/lifecycle.sql"
  local life_tps pgb
  life_tps=$(PGOPTIONS='-c enable_bitmapscan=off -c enable_seqscan=off -c synchronous_commit=off' \
    pgbench -n -c 2 -j 2 -t $((N_JOBS / 100)) -f "$OUT/lifecycle.sql" 2>&1 | awk '/^tps/ {print $3; exit}')
  pgb=$(awk -v t="$life_tps" 'BEGIN { printf "%.0f", t * 50 }')

  {
    echo "fetch.perHost $PER_HOST; fetches: $N_FETCH a round over $HOSTS hosts, bare client $bare/s;" \
      "jobs: $N_JOBS echo a round, pgbench claim+complete $pgb/s; $(nproc) cores"
    echo "$header"
    local row
    for row in "${rows[@]}"; do
      local jobs_rate; jobs_rate=$(echo "$row" | awk '{print $5}')
      echo "${row/JR%/$((100 * jobs_rate / pgb))%}"
    done
  } | tee "$ROOT/bench/last-cluster.txt"
}

main "$@"
