#!/usr/bin/env bash
# bench/queue.sh — durable jobs: enqueue N echo jobs over HTTP in batches (scheduled a few seconds
# ahead), let fanout's worker drain them from then on (the built-in echo handler, concurrency 50),
# and report enqueue jobs/s, processing jobs/s and end-to-end time; in the same run, on the same database, pgbench runs the raw-SQL
# ceiling: batch INSERTs (1000 per statement) and claim-and-complete (50 per statement).
#
#   bench/queue.sh                 # N = 20000, after one unmeasured warm-up round of N
#   N=50000 BATCH=2000 WARMUP=0 bench/queue.sh
#
# Uses fanout's embedded PostgreSQL in a fresh data directory; installs curl and pgbench
# (postgresql-client) from Debian packages if missing. Sends traffic only to 127.0.0.1.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
OUT="${OUT:-$ROOT/bench/out/queue}"
N="${N:-20000}"
WARMUP="${WARMUP:-1}"          # rounds of N jobs enqueued and drained first (JIT warm-up), not measured
BATCH="${BATCH:-1000}"
PORT="${PORT:-18095}"

cleanup() {
  [ -n "${FANOUT_PID:-}" ] && kill "$FANOUT_PID" 2>/dev/null && wait "$FANOUT_PID" 2>/dev/null || true
}

ms() { date +%s%3N; }

main() {
  need_pkgs curl:curl pgbench:postgresql-client
  rm -rf "$OUT" && mkdir -p "$OUT/batches"
  [ -f "$ROOT/target/fanout.jar" ] || (cd "$ROOT" && mvn -B -q -DskipTests package)
  # a short poll: scheduled jobs become runnable without a NOTIFY
  FANOUT_HTTP_PORT=$PORT FANOUT_DATA_DIR="$OUT/data" FANOUT_PG_POOL_SIZE=16 FANOUT_QUEUE_MAX_ENQUEUE=$BATCH FANOUT_QUEUE_POLL_MS=20 \
    java -Xmx1g -jar "$ROOT/target/fanout.jar" serve > "$OUT/fanout.log" 2>&1 &
  FANOUT_PID=$!
  trap cleanup EXIT
  for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 0.2; done
  local pgport; pgport=$(grep -o 'embedded PostgreSQL in .* on 127.0.0.1:[0-9]*' "$OUT/fanout.log" | sed 's/.*://')
  export PGHOST=127.0.0.1 PGPORT=$pgport PGUSER=postgres PGDATABASE=postgres PGPASSWORD=postgres

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
  # apart), then let the worker drain them from that moment on and wait for every batch
  local t0 t1 t2 start round
  for ((round = 0; round <= WARMUP; round++)); do
    local batches=()
    start=$(( $(date +%s) + 6 ))
    local at; at=$(date -u -d "@$start" +%Y-%m-%dT%H:%M:%SZ)
    mkdir -p "$OUT/round"
    for f in "$OUT"/batches/*.json; do sed "s/RUN_AT/$at/g" "$f" > "$OUT/round/$(basename "$f")"; done
    t0=$(ms)
    for f in "$OUT"/round/*.json; do
      batches+=("$(curl -sf -H 'Content-Type: application/json' --data-binary @"$f" "http://127.0.0.1:$PORT/v1/jobs" | sed -E 's/.*"batch":"([^"]+)".*/\1/')")
    done
    t1=$(ms)
    [ "$t1" -lt $((start * 1000)) ] || { echo "bench: enqueue took longer than the lead time; raise it" >&2; exit 1; }
    for id in "${batches[@]}"; do
      curl -sf "http://127.0.0.1:$PORT/v1/batches/$id?wait=120" | grep -q '"done":true' || { echo "bench: batch $id not done" >&2; exit 1; }
    done
    t2=$(ms)
    [ "$round" -lt "$WARMUP" ] && echo "warm-up round $((round + 1)) done" >&2
  done
  local done_count; done_count=$(psql -qtA -c "SELECT count(*) FROM fanout_job WHERE kind = 'echo' AND state = 'completed'")
  [ "$done_count" = "$((N * (WARMUP + 1)))" ] || { echo "bench: $done_count of $((N * (WARMUP + 1))) echo jobs completed" >&2; exit 1; }

  # the raw-SQL ceiling on the same database, on rows fanout's worker does not claim
  cat > "$OUT/insert.sql" <<SQL
INSERT INTO fanout_job (kind, payload) SELECT 'ceiling', jsonb_build_object('n', g) FROM generate_series(1, 1000) g;
SQL
  cat > "$OUT/claim.sql" <<SQL
WITH picked AS (SELECT id FROM fanout_job WHERE kind = 'ceiling' AND state IN ('available', 'scheduled', 'retryable')
  AND run_at <= now() ORDER BY priority DESC, run_at, id LIMIT 50 FOR UPDATE SKIP LOCKED)
UPDATE fanout_job j SET state = 'completed', attempt = j.attempt + 1, result = j.payload, finalized_at = now()
FROM picked WHERE j.id = picked.id;
SQL
  local ins_tx=$(( (N + 999) / 1000 )) claim_tx=$(( (N + 49) / 50 / 2 ))
  local ins_tps claim_tps
  ins_tps=$(pgbench -n -c 2 -j 2 -t $((ins_tx / 2 + 1)) -f "$OUT/insert.sql" 2>&1 | awk '/^tps/ {print $3; exit}')
  claim_tps=$(pgbench -n -c 2 -j 2 -t "$claim_tx" -f "$OUT/claim.sql" 2>&1 | awk '/^tps/ {print $3; exit}')

  awk -v n="$N" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v s="$((start * 1000))" -v it="$ins_tps" -v ct="$claim_tps" 'BEGIN {
    enq = n / ((t1 - t0) / 1000); proc = n / ((t2 - s) / 1000); ie = it * 1000; ce = ct * 50;
    printf "%-36s %12s %12s %8s\n", "", "fanout", "pgbench", "ratio";
    printf "%-36s %12.0f %12.0f %7.0f%%\n", "enqueue, jobs/s", enq, ie, 100 * enq / ie;
    printf "%-36s %12.0f %12.0f %7.0f%%\n", "processing (runAt to all done), jobs/s", proc, ce, 100 * proc / ce;
    printf "%-36s %12.2f\n", "end-to-end (enqueue + processing), s", (t1 - t0 + t2 - s) / 1000;
  }'
}

main "$@"
