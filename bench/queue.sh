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

cleanup() {
  [ -n "${FANOUT_PID:-}" ] && kill "$FANOUT_PID" 2>/dev/null && wait "$FANOUT_PID" 2>/dev/null || true
}

ms() { date +%s%3N; }

# CPU time (user + system, ms) of processes so far; the first one's reaped children count too
# (PostgreSQL's autovacuum workers and closed backends end up in the postmaster's cutime/cstime)
cpu_ms() {
  local t=0 p f first=1
  for p in "$@"; do
    # shellcheck disable=SC2207
    f=($(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null)) && [ ${#f[@]} -gt 14 ] && t=$((t + f[11] + f[12]))
    [ "$first" = 1 ] && [ ${#f[@]} -gt 14 ] && t=$((t + f[13] + f[14]))
    first=0
  done
  echo $((t * 1000 / $(getconf CLK_TCK)))
}
pg_pids() {
  local pm; pm=$(pgrep -f -- "-D $OUT/data/pg " | head -1)
  echo "$pm" $(pgrep -P "$pm")
}

main() {
  need_pkgs curl:curl pgbench:postgresql-client
  rm -rf "$OUT" && mkdir -p "$OUT/batches"
  # a short poll: scheduled jobs become runnable without a NOTIFY
  FANOUT_HTTP_PORT=$PORT FANOUT_DATA_DIR="$OUT/data" FANOUT_PG_POOL_SIZE=16 FANOUT_QUEUE_MAX_ENQUEUE=$BATCH FANOUT_QUEUE_POLL_MS=20 \
    FANOUT_JAVA_OPTS="-Xmx1g ${FANOUT_JAVA_OPTS:-}" "$ROOT/run.sh" serve > "$OUT/fanout.log" 2>&1 &
  FANOUT_PID=$!
  trap cleanup EXIT
  # run.sh builds first when the jar is missing or older than the sources
  for _ in $(seq 1 1500); do curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 0.2; done
  local pgport; pgport=$(grep -o 'embedded PostgreSQL in .* on 127.0.0.1:[0-9]*' "$OUT/fanout.log" | sed 's/.*://')
  # the embedded server asks for the password fanout made at its first start
  export PGHOST=127.0.0.1 PGPORT=$pgport PGUSER=postgres PGDATABASE=postgres PGPASSWORD="$(cat "$OUT/data/pg-password")"

  # request bodies, made before the clock starts
  local b i
  for ((b = 0; b * BATCH < N; b++)); do
    { printf '{"jobs":['
      for ((i = 0; i < BATCH && b * BATCH + i < N; i++)); do
        [ $i -gt 0 ] && printf ','
        printf '{"kind":"echo","runAt":"RUN_AT","payload":{"n":%d}}' $((b * BATCH + i))
      done
      printf ']}'; } > "$OUT/batches/$b.json"
  done

  # fanout: enqueue N jobs scheduled a few seconds ahead (so enqueue and processing are measured
  # apart), then let the worker drain them from that moment on and wait for every batch. Warm-up
  # rounds (JIT compilation) do the same with a shorter lead.
  local t0 t1 t2 start round
  for ((round = 0; round <= WARMUP; round++)); do
    local batches=()
    if [ "$round" -lt "$WARMUP" ]; then start=$(( $(date +%s) + WARMUP_LEAD )); else start=$(( $(date +%s) + LEAD )); fi
    local at; at=$(date -u -d "@$start" +%Y-%m-%dT%H:%M:%SZ)
    rm -rf "$OUT/round" && mkdir -p "$OUT/round"
    for f in "$OUT"/batches/*.json; do sed "s/RUN_AT/$at/g" "$f" > "$OUT/round/$(basename "$f")"; done
    local j0 p0 j1 p1 j2 p2 j3 p3
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
    [ "$round" -lt "$WARMUP" ] || [ "$t1" -lt $((start * 1000)) ] || { echo "bench: enqueue took longer than the lead time; raise it" >&2; exit 1; }
    sleep "$(awk -v d=$((start * 1000 - $(ms))) 'BEGIN { printf "%.3f", (d > 0 ? d : 0) / 1000 }')"
    j2=$(cpu_ms "$FANOUT_PID"); p2=$(cpu_ms $(pg_pids))
    # every batch's wait from one client process, one after the other on a kept-alive connection
    # (a process per wait added about 7 ms each, 10 % of a round)
    local urls=() id
    for id in "${batches[@]}"; do urls+=("http://127.0.0.1:$PORT/v1/batches/$id?wait=120"); done
    curl -sf "${urls[@]}" > "$OUT/waits.json" || { echo "bench: a batch wait failed" >&2; exit 1; }
    t2=$(ms)
    [ "$(grep -o '"done":true' "$OUT/waits.json" | wc -l)" = "${#batches[@]}" ] || { echo "bench: a batch is not done" >&2; exit 1; }
    j3=$(cpu_ms "$FANOUT_PID"); p3=$(cpu_ms $(pg_pids))
    [ "$round" -lt "$WARMUP" ] && echo "warm-up round $((round + 1)) done" >&2
  done
  local done_count; done_count=$(psql -qtA -c "SELECT count(*) FROM fanout_job WHERE kind = 'echo' AND state = 'completed'")
  [ "$done_count" = "$((N * (WARMUP + 1)))" ] || { echo "bench: $done_count of $((N * (WARMUP + 1))) echo jobs completed" >&2; exit 1; }
  # the measured round as the database saw it: from runAt to the last job's completion, and from
  # the first claim to it (the rest of the processing time is the first poll and the batch waits)
  local inner; inner=$(psql -qtA -F ' ' -c "SELECT round(extract(epoch FROM max(finalized_at) - to_timestamp($start)) * 1000),
    round(extract(epoch FROM max(finalized_at) - min(attempted_at)) * 1000) FROM fanout_job WHERE kind = 'echo' AND run_at = to_timestamp($start)")

  # the raw-SQL ceiling on the same database, on rows fanout's worker does not claim
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

  awk -v n="$N" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v s="$((start * 1000))" -v it="$ins_tps" -v ct="$claim_tps" -v lt="$life_tps" -v inner="$inner" \
    -v ej=$((j1 - j0)) -v ep=$((p1 - p0)) -v pj=$((j3 - j2)) -v pp=$((p3 - p2)) 'BEGIN {
    enq = n / ((t1 - t0) / 1000); proc = n / ((t2 - s) / 1000); ie = it * 1000; ce = ct * 50; le = lt * 50;
    printf "%-36s %12s %12s %8s\n", "", "fanout", "pgbench", "ratio";
    printf "%-36s %12.0f %12.0f %7.0f%%\n", "enqueue, jobs/s", enq, ie, 100 * enq / ie;
    printf "%-36s %12.0f %12.0f %7.0f%%\n", "processing (runAt to all done), jobs/s", proc, ce, 100 * proc / ce;
    printf "%-36s %12s %12.0f %7.0f%%\n", "  vs claim, then complete (2 writes)", "", le, 100 * proc / le;
    split(inner, db, " ");
    printf "%-36s %12.0f\n", "  in the database: runAt to last done", n / (db[1] / 1000);
    printf "%-36s %12.0f\n", "  in the database: first claim to last", n / (db[2] / 1000);
    printf "%-36s %12.2f\n", "end-to-end (enqueue + processing), s", (t1 - t0 + t2 - s) / 1000;
    printf "CPU per 1000 jobs, ms: enqueue fanout %.0f + PostgreSQL %.0f; processing fanout %.0f + PostgreSQL %.0f\n",
      ej * 1000 / n, ep * 1000 / n, pj * 1000 / n, pp * 1000 / n;
  }'
}

main "$@"
