#!/usr/bin/env bash
# bench/queue.sh — durable jobs: enqueue N echo jobs over HTTP in batches (scheduled a few seconds
# ahead), let fanout's worker drain them from then on (the built-in echo handler, concurrency 50),
# and report enqueue jobs/s, processing jobs/s, end-to-end time and the CPU both processes spent;
# in the same run, on the same database, pgbench runs the raw-SQL ceiling: batch INSERTs (1000 per
# statement, P clients like fanout's enqueue) and claim-and-complete (50 per statement, one UPDATE per job, 2 clients),
# with the settings fanout's own connections use.
#
#   bench/queue.sh                 # N = 20000, after ten unmeasured warm-up rounds of N
#   N=50000 BATCH=2000 LEAD=10 WARMUP=0 bench/queue.sh
#   bench/queue.sh --cold          # REPEAT = 3 fresh servers: each one's first round (cold), then
#                                  # its round after WARMUP more (warm), and the ceilings; medians
#
# Every round, warm-up ones too, enqueues its jobs first and lets them run from their runAt on, so
# the JIT has compiled the code paths the measured round takes (warm-up rounds that enqueued and
# processed at once left the first round of the other shape about a quarter slower). fanout runs
# through ./run.sh, with the options users get (FANOUT_JAVA_OPTS adds to them).
#
# Uses fanout's embedded PostgreSQL in a fresh data directory; installs curl and pgbench
# (postgresql-client) from Debian packages if missing. Sends traffic only to 127.0.0.1.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
OUT="${OUT:-$ROOT/bench/out/queue}"
N="${N:-20000}"
WARMUP="${WARMUP:-10}"         # rounds of N jobs enqueued and drained first (JIT warm-up), not measured
WARMUP_LEAD="${WARMUP_LEAD:-2}" # seconds between the start of a warm-up round's enqueue and its jobs' runAt
BATCH="${BATCH:-1000}"
P="${P:-4}"                    # enqueue requests in flight
LEAD="${LEAD:-6}"              # seconds between the start of an enqueue round and its jobs' runAt
PORT="${PORT:-18095}"
COLD=0
[ "${1:-}" = "--cold" ] && COLD=1
REPEAT="${REPEAT:-3}"          # --cold: fresh servers

cleanup() {
  [ -n "${FANOUT_PID:-}" ] && kill "$FANOUT_PID" 2>/dev/null && wait "$FANOUT_PID" 2>/dev/null || true
  FANOUT_PID=""
}

ms() { date +%s%3N; }
HZ=$(getconf CLK_TCK)

# CPU time (user + system, ms) of processes so far; the first one's reaped children count too
# (PostgreSQL's autovacuum workers and closed backends end up in the postmaster's cutime/cstime)
cpu_ms() {
  local files=() p
  for p in "$@"; do [ -r "/proc/$p/stat" ] && files+=("/proc/$p/stat"); done
  [ ${#files[@]} -gt 0 ] || { echo 0; return; }
  # one process for all of them: fields after the ")" that ends the command name
  awk -v hz="$HZ" '{ sub(/.*\) /, ""); t += $12 + $13; if (FNR == NR && NR == 1) t += $14 + $15 }
    END { printf "%d\n", t * 1000 / hz }' "${files[@]}" 2>/dev/null || echo 0
}
pg_pids() {
  local pm; pm=$(pgrep -f -- "-D $OUT/data/pg " | head -1)
  echo "$pm" $(pgrep -P "$pm")
}

# a fresh fanout (fresh data directory, so a fresh embedded PostgreSQL) through ./run.sh
start_server() {
  cleanup
  rm -rf "$OUT/data" "$OUT/round"
  # a short poll: scheduled jobs become runnable without a NOTIFY
  FANOUT_HTTP_PORT=$PORT FANOUT_DATA_DIR="$OUT/data" FANOUT_PG_POOL_SIZE=16 FANOUT_QUEUE_MAX_ENQUEUE=$BATCH FANOUT_QUEUE_POLL_MS=20 \
    FANOUT_JAVA_OPTS="-Xmx1g ${FANOUT_JAVA_OPTS:-}" "$ROOT/run.sh" serve > "$OUT/fanout.log" 2>&1 &
  FANOUT_PID=$!
  # run.sh builds first when the jar is missing or older than the sources
  for _ in $(seq 1 1500); do curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 0.2; done
  local pgport; pgport=$(grep -o 'embedded PostgreSQL in .* on 127.0.0.1:[0-9]*' "$OUT/fanout.log" | sed 's/.*://')
  # the embedded server asks for the password fanout made at its first start
  export PGHOST=127.0.0.1 PGPORT=$pgport PGUSER=postgres PGDATABASE=postgres PGPASSWORD="$(cat "$OUT/data/pg-password")"
}

# request bodies, made before the clock starts
make_batches() {
  local b i
  for ((b = 0; b * BATCH < N; b++)); do
    { printf '{"jobs":['
      for ((i = 0; i < BATCH && b * BATCH + i < N; i++)); do
        [ $i -gt 0 ] && printf ','
        printf '{"kind":"echo","runAt":"RUN_AT","payload":{"n":%d}}' $((b * BATCH + i))
      done
      printf ']}'; } > "$OUT/batches/$b.json"
  done
}

# One round: enqueue N jobs scheduled LEAD seconds ahead (so enqueue and processing are measured
# apart), then let the worker drain them from that moment on and wait for every batch. Sets
# t0 t1 t2 start (ms, ms, ms, s) and the CPU readings j0..j3 (fanout) p0..p3 (PostgreSQL).
round() { # LEAD
  local batches=() lead=$1
  start=$(( $(date +%s) + lead ))
  local at; at=$(date -u -d "@$start" +%Y-%m-%dT%H:%M:%SZ)
  rm -rf "$OUT/round" && mkdir -p "$OUT/round"
  for f in "$OUT"/batches/*.json; do sed "s/RUN_AT/$at/g" "$f" > "$OUT/round/$(basename "$f")"; done
  j0=$(cpu_ms "$FANOUT_PID"); p0=$(cpu_ms $(pg_pids))
  t0=$(ms)
  # one client process, P requests at a time on kept-alive connections, as a bulk client sends them
  local args=(-s -Z --parallel-max "$P") f
  for f in "$OUT"/round/*.json; do
    [ ${#args[@]} -gt 4 ] && args+=(--next)
    args+=(-f -H 'Content-Type: application/json' --data-binary "@$f" -o "$f.out" "http://127.0.0.1:$PORT/v1/jobs")
  done
  curl "${args[@]}" 2> "$OUT/curl.err" || { echo "bench: enqueue failed" >&2; cat "$OUT/curl.err" >&2; exit 1; }
  t1=$(ms)
  j1=$(cpu_ms "$FANOUT_PID"); p1=$(cpu_ms $(pg_pids))
  for f in "$OUT"/round/*.json.out; do
    batches+=("$(sed -E 's/.*"batch":"([^"]+)".*/\1/' "$f")")
  done
  [ "$lead" -lt "$LEAD" ] || [ "$t1" -lt $((start * 1000)) ] || { echo "bench: enqueue took longer than the lead time; raise it" >&2; exit 1; }
  # the processes are found before runAt and read at it with one awk: a process per reading (as
  # before) on two busy cores delayed the waits below by up to a second and took CPU from the round
  local pids; pids=$(pg_pids)
  sleep "$(awk -v d=$((start * 1000 - $(ms))) 'BEGIN { printf "%.3f", (d > 0 ? d : 0) / 1000 }')"
  j2=$(cpu_ms "$FANOUT_PID"); p2=$(cpu_ms $pids)
  # every batch's wait from one client process, one after the other on a kept-alive connection
  # (a process per wait added about 7 ms each, 10 % of a round)
  local urls=() id
  for id in "${batches[@]}"; do urls+=("http://127.0.0.1:$PORT/v1/batches/$id?wait=120"); done
  curl -sf "${urls[@]}" > "$OUT/waits.json" || { echo "bench: a batch wait failed" >&2; exit 1; }
  t2=$(ms)
  [ "$(grep -o '"done":true' "$OUT/waits.json" | wc -l)" = "${#batches[@]}" ] || { echo "bench: a batch is not done" >&2; exit 1; }
  j3=$(cpu_ms "$FANOUT_PID"); p3=$(cpu_ms $(pg_pids))
}

# the measured round's figures: "enqueue/s processing/s db-runAt/s db-claim/s end-to-end-s
# cpu-enqueue-fanout cpu-enqueue-pg cpu-processing-fanout cpu-processing-pg" (per 1000 jobs)
figures() {
  # the round as the database saw it: from runAt to the last job's completion, and from the first
  # claim to it (the rest of the processing time is the first poll and the batch waits)
  local inner; inner=$(psql -qtA -F ' ' -c "SELECT round(extract(epoch FROM max(finalized_at) - to_timestamp($start)) * 1000),
    round(extract(epoch FROM max(finalized_at) - min(attempted_at)) * 1000) FROM fanout_job WHERE kind = 'echo' AND run_at = to_timestamp($start)")
  awk -v n="$N" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v s="$((start * 1000))" -v inner="$inner" \
    -v ej=$((j1 - j0)) -v ep=$((p1 - p0)) -v pj=$((j3 - j2)) -v pp=$((p3 - p2)) 'BEGIN { split(inner, db, " ");
    printf "%.0f %.0f %.0f %.0f %.2f %.0f %.0f %.0f %.0f\n", n / ((t1 - t0) / 1000), n / ((t2 - s) / 1000),
      n / (db[1] / 1000), n / (db[2] / 1000), (t1 - t0 + t2 - s) / 1000,
      ej * 1000 / n, ep * 1000 / n, pj * 1000 / n, pp * 1000 / n }'
}

# the raw-SQL ceiling on the same database, on rows fanout's worker does not claim: sets ie ce le
ceilings() {
  cat > "$OUT/insert.sql" <<SQL
INSERT INTO fanout_job (kind, payload, batch_id) SELECT 'ceiling', jsonb_build_object('n', g), b FROM generate_series(1, 1000) g, (SELECT gen_random_uuid() AS b) x;
SQL
  cat > "$OUT/claim.sql" <<SQL
WITH picked AS (SELECT id FROM fanout_job WHERE kind = 'ceiling' AND finalized_at IS NULL
  AND run_at <= now() AND (state <> 'running' OR lease_until < now()) ORDER BY priority DESC, run_at, id LIMIT 50 FOR NO KEY UPDATE SKIP LOCKED)
UPDATE fanout_job j SET state = 'completed', attempt = j.attempt + 1, result = j.payload, finalized_at = now()
FROM picked WHERE j.id = picked.id;
SQL
  # the same life as fanout's jobs: a claim (to running, returning the rows), then a second
  # statement that completes exactly those
  lifecycle_sql "$OUT/lifecycle.sql"
  local ins_tx=$(( 2 * N / 1000 > 60 ? 2 * N / 1000 : 60 )) claim_tx=$(( (N + 49) / 50 / 2 ))
  local ins_tps claim_tps life_tps
  ins_tps=$(pgbench -n -c "$P" -j 2 -t $((ins_tx / P + 1)) -f "$OUT/insert.sql" 2>&1 | awk '/^tps/ {print $3; exit}')
  # with the settings fanout's worker uses (an index scan in claim order, asynchronous commit)
  claim_tps=$(PGOPTIONS='-c enable_bitmapscan=off -c enable_seqscan=off -c synchronous_commit=off' pgbench -n -c 2 -j 2 -t "$claim_tx" -f "$OUT/claim.sql" 2>&1 | awk '/^tps/ {print $3; exit}')
  life_tps=$(PGOPTIONS='-c enable_bitmapscan=off -c enable_seqscan=off -c synchronous_commit=off' pgbench -n -c 2 -j 2 -t "$claim_tx" -f "$OUT/lifecycle.sql" 2>&1 | awk '/^tps/ {print $3; exit}')
  ie=$(awk "BEGIN{printf \"%.0f\", $ins_tps * 1000}"); ce=$(awk "BEGIN{printf \"%.0f\", $claim_tps * 50}")
  le=$(awk "BEGIN{printf \"%.0f\", $life_tps * 50}")
}

table() { # "figures" line
  awk -v ie="$ie" -v ce="$ce" -v le="$le" -v f="$1" 'BEGIN { split(f, x, " ");
    printf "%-36s %12s %12s %8s\n", "", "fanout", "pgbench", "ratio";
    printf "%-36s %12.0f %12.0f %7.0f%%\n", "enqueue, jobs/s", x[1], ie, 100 * x[1] / ie;
    printf "%-36s %12.0f %12.0f %7.0f%%\n", "processing (runAt to all done), jobs/s", x[2], ce, 100 * x[2] / ce;
    printf "%-36s %12s %12.0f %7.0f%%\n", "  vs claim, then complete (2 writes)", "", le, 100 * x[2] / le;
    printf "%-36s %12.0f\n", "  in the database: runAt to last done", x[3];
    printf "%-36s %12.0f\n", "  in the database: first claim to last", x[4];
    printf "%-36s %12.2f\n", "end-to-end (enqueue + processing), s", x[5];
    printf "CPU per 1000 jobs, ms: enqueue fanout %.0f + PostgreSQL %.0f; processing fanout %.0f + PostgreSQL %.0f\n",
      x[6], x[7], x[8], x[9] }'
}

check_done() { # rounds
  local done_count; done_count=$(psql -qtA -c "SELECT count(*) FROM fanout_job WHERE kind = 'echo' AND state = 'completed'")
  [ "$done_count" = "$((N * $1))" ] || { echo "bench: $done_count of $((N * $1)) echo jobs completed" >&2; exit 1; }
}

# --cold: REPEAT fresh servers; on each, the first round measured (cold), then WARMUP unmeasured
# rounds and one more measured (warm), then the ceilings; a line per server, then the medians
cold() {
  echo "cold: N = $N, a fresh server (fresh database) per run, its first round measured, then round $((WARMUP + 2)) (warm)"
  printf "%-4s %-9s %-9s %-9s %-9s %-8s %-8s %-8s %-8s %-8s %-8s %-8s %s\n" run enq-cold proc-cold \
    enq-warm proc-warm ins-ceil upd-ceil cold/warm cold/upd warm/upd enq/ins cpu-cold cpu-warm
  local r cold warm all=()
  for ((r = 1; r <= REPEAT; r++)); do
    start_server
    round "$LEAD"; cold=$(figures)
    for ((i = 0; i < WARMUP; i++)); do round "$WARMUP_LEAD"; done
    round "$LEAD"; warm=$(figures)
    check_done $((WARMUP + 2))
    ceilings
    local line; line=$(awk -v c="$cold" -v w="$warm" -v ie="$ie" -v ce="$ce" 'BEGIN { split(c, a, " "); split(w, b, " ");
      printf "%d %d %d %d %d %d %.2f %.2f %.2f %.2f %d+%d %d+%d", a[1], a[2], b[1], b[2], ie, ce, a[2] / b[2],
        a[2] / ce, b[2] / ce, a[1] / ie, a[8], a[9], b[8], b[9] }')
    all+=("$line")
    echo "$r $line" | awk '{ printf "%-4s %-9s %-9s %-9s %-9s %-8s %-8s %-8s %-8s %-8s %-8s %-8s %s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13 }'
  done
  local col meds="med"
  for col in 1 2 3 4 5 6 7 8 9 10; do
    meds+=" $(printf '%s\n' "${all[@]}" | awk -v c=$col '{print $c}' | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')"
  done
  echo "$meds" | awk '{ printf "%-4s %-9s %-9s %-9s %-9s %-8s %-8s %-8s %-8s %-8s %-8s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 }'
  echo "(cpu: fanout + PostgreSQL ms per 1000 processed jobs; ratios: cold/warm processing, processing / one-UPDATE ceiling, enqueue / insert ceiling)"
}

main() {
  need_pkgs curl:curl pgbench:postgresql-client
  rm -rf "$OUT" && mkdir -p "$OUT/batches"
  trap cleanup EXIT
  make_batches
  if [ "$COLD" = 1 ]; then
    cold
    return
  fi
  start_server
  # warm-up rounds (JIT compilation) have the same shape with a shorter lead
  local round
  for ((round = 0; round < WARMUP; round++)); do
    round "$WARMUP_LEAD"
    echo "warm-up round $((round + 1)) done" >&2
  done
  round "$LEAD"
  local f; f=$(figures)
  check_done $((WARMUP + 1))
  ceilings
  table "$f"
}

main "$@"
