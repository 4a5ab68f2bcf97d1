#!/usr/bin/env bash
# bench/claim.sh — how far one PostgreSQL carries the queue: pgbench runs fanout's own claim and
# complete statements (dev.fanout.queue.JobSql CLAIM and COMPLETE, printed from the jar by
# bench/QueueSql.java, so they are exactly what the worker sends) on fanout's embedded PostgreSQL,
# with the settings of the worker's connections (claims: synchronous_commit off, index scans only;
# completions: synchronous_commit on). Each run gets fresh rows of a kind of its own, as many as
# it claims (so no claim comes back empty), and prints transactions/s, jobs/s and the latency:
#   - claim only (the FOR UPDATE SKIP LOCKED claim of B jobs, to running);
#   - claim, then complete those jobs (one durable commit), as a worker's batch does;
# with 2 clients (one node's worker on two cores) up to 32 (many nodes' workers at once), and with
# claims of 50 and of 5 (many nodes, each with little to do).
#
#   bench/claim.sh                # the runs below, about a minute
#   RUNS="lifecycle:8:50" bench/claim.sh
#
# Writes the table to bench/last-claim.txt. Installs curl and pgbench/psql (postgresql-client) if
# missing. Traffic only to 127.0.0.1.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
OUT="${OUT:-$ROOT/bench/out/claim}"
PORT="${PORT:-18290}"
CLAIMS="${CLAIMS:-1000}"             # claims (transactions) per run, all clients together
# statement:clients:batch
RUNS="${RUNS:-claim:2:50 lifecycle:2:50 lifecycle:8:50 lifecycle:32:50 lifecycle:8:5 lifecycle:32:5}"

cleanup() {
  [ -n "${FANOUT_PID:-}" ] && kill "$FANOUT_PID" 2>/dev/null && wait "$FANOUT_PID" 2>/dev/null || true
}

# the worker's statements with pgbench's variables for their parameters
scripts() {
  java -cp "$ROOT/target/fanout.jar" "$ROOT/bench/QueueSql.java" CLAIM COMPLETE > "$OUT/jobsql.txt"
  awk '/^;$/ {exit} {print}' "$OUT/jobsql.txt" > "$OUT/claim.raw"
  awk 'f {print} /^;$/ {f = 1}' "$OUT/jobsql.txt" | sed '$d' > "$OUT/complete.raw"
  local claim; claim=$(sed -e "s/\\\$1/':kind'/; s/\\\$2/:batch/; s/\\\$3/30000/; s/\\\$4/'bench'/" "$OUT/claim.raw")
  { echo "$claim;"; } > "$OUT/claim.sql"
  {
    echo "SET synchronous_commit = off;"
    echo "WITH c AS ($claim) SELECT coalesce(array_agg(id), '{}') AS ids, coalesce(array_agg(attempt), '{}') AS att FROM c"
    echo "\\gset"
    echo "SET synchronous_commit = on;"
    sed -e "s/\\\$1::bigint\\[\\]/':ids'::bigint[]/; s/\\\$2::int\\[\\]/':att'::int[]/" \
      -e "s/\\\$3::jsonb\\[\\]/array_fill('{}'::jsonb, ARRAY[cardinality(':ids'::bigint[])])/" "$OUT/complete.raw"
    echo ";"
  } > "$OUT/lifecycle.sql"
}

run() { # statement clients batch -> "tps latency-ms"
  local stmt=$1 c=$2 b=$3 kind="k_$1_$2_$3" t=$((CLAIMS / $2))
  psql -qtA -c "INSERT INTO fanout_job (kind, payload) SELECT '$kind', jsonb_build_object('n', g)
    FROM generate_series(1, $((t * c * b))) g; ANALYZE fanout_job" > /dev/null
  PGOPTIONS='-c enable_bitmapscan=off -c enable_seqscan=off -c synchronous_commit=off' \
    pgbench -n -c "$c" -j 2 -t "$t" -D kind="$kind" -D batch="$b" -f "$OUT/$stmt.sql" > "$OUT/$kind.txt" 2>&1 \
    || { cat "$OUT/$kind.txt" >&2; exit 1; }
  local left; left=$(psql -qtA -c "SELECT count(*) FROM fanout_job WHERE kind = '$kind' AND state = 'available'")
  [ "$left" = 0 ] || { echo "bench: $left $kind jobs left unclaimed" >&2; exit 1; }
  [ "$stmt" = claim ] || [ "$(psql -qtA -c "SELECT count(*) FROM fanout_job WHERE kind = '$kind' AND state <> 'completed'")" = 0 ] \
    || { echo "bench: $kind jobs not completed" >&2; exit 1; }
  echo "$(awk '/^tps/ {print $3; exit}' "$OUT/$kind.txt") $(awk '/^latency average/ {print $4; exit}' "$OUT/$kind.txt")"
}

main() {
  need_pkgs curl:curl pgbench:postgresql-client psql:postgresql-client
  rm -rf "$OUT" && mkdir -p "$OUT"
  FANOUT_HTTP_PORT=$PORT FANOUT_DATA_DIR="$OUT/data" "$ROOT/run.sh" serve > "$OUT/fanout.log" 2>&1 &
  FANOUT_PID=$!
  trap cleanup EXIT
  for _ in $(seq 1 1500); do curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 0.2; done
  local pgport; pgport=$(grep -o 'embedded PostgreSQL in .* on 127.0.0.1:[0-9]*' "$OUT/fanout.log" | sed 's/.*://')
  export PGHOST=127.0.0.1 PGPORT=$pgport PGUSER=postgres PGDATABASE=postgres PGPASSWORD="$(cat "$OUT/data/pg-password")"
  scripts
  {
    echo "fanout's claim and complete (JobSql) under pgbench, embedded PostgreSQL $(psql -qtA -c 'SHOW server_version'),"\
      "$(nproc) cores, $CLAIMS claims a run"
    printf "%-26s %-8s %-6s %-9s %-9s %-10s\n" statement clients batch tps jobs/s latency-ms
    local r stmt c b tps lat
    for r in $RUNS; do
      IFS=: read -r stmt c b <<< "$r"
      read -r tps lat < <(run "$stmt" "$c" "$b")
      printf "%-26s %-8s %-6s %-9.0f %-9.0f %-10s\n" \
        "$([ "$stmt" = claim ] && echo "claim" || echo "claim, then complete")" "$c" "$b" "$tps" \
        "$(awk -v t="$tps" -v b="$b" 'BEGIN { print t * b }')" "$lat"
    done
  } | tee "$ROOT/bench/last-claim.txt"
}

main "$@"
