#!/usr/bin/env bash
# bench/soak.sh — the standing fault soak: MINUTES (30) of mixed load on one fanout started through
# ./run.sh (its embedded PostgreSQL in a fresh data directory), while fanout is killed with
# kill -9 and started again every KILL_EVERY seconds (300) and its embedded database is killed
# once (at DB_KILL_AT seconds, 450). The load, every second: one enqueue of JOBS jobs (half
# `fetch` jobs, each fetching a URL of its own from a counting server on 127.0.0.1, half `echo`),
# one POST /v1/fetch of 20 URLs; every minute a `./run.sh fetch` of 2,000 URLs and a full GC of the
# service (jcmd GC.run) whose heap-after is logged.
#
# At the end it waits for every acknowledged job (a 201) to finish and prints: jobs enqueued
# (acknowledged), completed, lost (acknowledged and not completed), run twice (fetch jobs whose URL
# was fetched more than once: at-least-once delivery allows it after a kill -9), 5xx answers (and
# how many came outside a fault window — between a fault and /health/ready answering 200 again —
# which must be 0), the recovery time of each fault, and the heap after each full GC per process.
# Exits 1 when a job was lost or a 5xx came outside a fault window.
#
#   bench/soak.sh
#   MINUTES=6 KILL_EVERY=120 DB_KILL_AT=180 bench/soak.sh     # a short run
#
# Installs curl from Debian packages if missing; needs python3 and jcmd (the JDK's). Sends traffic
# only to 127.0.0.1.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
OUT="${OUT:-$ROOT/bench/out/soak}"
MINUTES="${MINUTES:-30}"
KILL_EVERY="${KILL_EVERY:-300}"
DB_KILL_AT="${DB_KILL_AT:-450}"
JOBS="${JOBS:-100}"
PORT="${PORT:-18097}"
TPORT="${TPORT:-18098}"
URL="http://127.0.0.1:$PORT"

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" | tee -a "$OUT/soak.log" >&2; }

cleanup() {
  [ -n "${FANOUT_PID:-}" ] && kill "$FANOUT_PID" 2>/dev/null && wait "$FANOUT_PID" 2>/dev/null || true
  [ -n "${TARGET_PID:-}" ] && kill "$TARGET_PID" 2>/dev/null || true
  [ -n "${CLI_PID:-}" ] && kill "$CLI_PID" 2>/dev/null || true
}

# A counting HTTP server: /j/N counts the fetches of job N; /p/N is a plain 2 KB page; /stats
# answers {"hits": {N: count}} for the jobs fetched more than once and the number of distinct jobs.
target() {
  cat > "$OUT/target.py" <<'PY'
import json, sys, threading
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
hits, lock, page = {}, threading.Lock(), b"x" * 2048
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_GET(self):
        body = page
        if self.path.startswith("/j/"):
            with lock: hits[self.path[3:]] = hits.get(self.path[3:], 0) + 1
        elif self.path == "/stats":
            with lock: body = json.dumps({"distinct": len(hits), "twice": {k: v for k, v in hits.items() if v > 1}}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
  python3 "$OUT/target.py" "$TPORT" &
  TARGET_PID=$!
}

start_fanout() {
  FANOUT_HTTP_PORT=$PORT FANOUT_DATA_DIR="$OUT/data" FANOUT_EGRESS_ALLOW=127.0.0.1/32 \
    FANOUT_JAVA_OPTS="-Xmx512m -Xlog:gc:file=$OUT/gc-%p.log ${FANOUT_JAVA_OPTS:-}" \
    "$ROOT/run.sh" serve >> "$OUT/fanout.log" 2>&1 &
  FANOUT_PID=$!   # run.sh execs java: this is the JVM
}

# Seconds until /health/ready answers 200 (at most LIMIT).
wait_ready() {
  local t0 limit=${1:-600}; t0=$(date +%s%3N)
  until curl -sf -o /dev/null "$URL/health/ready"; do
    [ $(( $(date +%s%3N) - t0 )) -gt $((limit * 1000)) ] && { log "not ready after ${limit}s"; return 1; }
    sleep 0.1
  done
  echo "scale=1; ($(date +%s%3N) - $t0) / 1000" | bc
}

SEQ=0
FAULT_UNTIL=0   # while a fault is being recovered from, 5xx answers are counted apart

# One status code per request into codes.tsv: time, what, code, in-a-fault-window.
record() {
  printf '%s\t%s\t%s\t%s\n' "$(date +%s)" "$1" "$2" "$FAULT_UNTIL" >> "$OUT/codes.tsv"
}

enqueue() {
  local body i
  body='{"jobs":['
  for ((i = 0; i < JOBS; i++)); do
    SEQ=$((SEQ + 1))
    [ $i -gt 0 ] && body+=','
    if ((i % 2 == 0)); then
      body+="{\"kind\":\"fetch\",\"payload\":{\"url\":\"http://127.0.0.1:$TPORT/j/$SEQ\"}}"
    else
      body+="{\"kind\":\"echo\",\"payload\":{\"n\":$SEQ}}"
    fi
  done
  body+=']}'
  local code
  code=$(curl -s -m 30 -o "$OUT/enqueue.json" -w '%{http_code}' -H 'Content-Type: application/json' -d "$body" "$URL/v1/jobs" || true)
  record enqueue "$code"
  if [ "$code" = 201 ]; then
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["batch"], len(r["ids"]))' "$OUT/enqueue.json" >> "$OUT/acked.tsv"
  fi
}

fetch_api() {
  local body i
  body='{"requests":['
  for ((i = 0; i < 20; i++)); do [ $i -gt 0 ] && body+=','; body+="{\"url\":\"http://127.0.0.1:$TPORT/p/$i\"}"; done
  body+='],"concurrency":10}'
  record fetch "$(curl -s -m 60 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d "$body" "$URL/v1/fetch" || true)"
}

fetch_cli() {
  [ -n "${CLI_PID:-}" ] && kill -0 "$CLI_PID" 2>/dev/null && return
  seq 1 2000 | sed "s|^|http://127.0.0.1:$TPORT/p/|" > "$OUT/urls.txt"
  ( "$ROOT/run.sh" fetch "$OUT/urls.txt" --allow 127.0.0.1/32 > /dev/null 2>> "$OUT/cli.log"; echo "cli exit $?" >> "$OUT/cli.log" ) &
  CLI_PID=$!
}

kill_fanout() {
  log "kill -9 fanout (pid $FANOUT_PID)"
  kill -9 "$FANOUT_PID"; wait "$FANOUT_PID" 2>/dev/null || true
  FAULT_UNTIL=1
  start_fanout
  local s; s=$(wait_ready 120) || s="never"
  FAULT_UNTIL=0
  log "fanout serving again after ${s} s"
  echo "kill -9 fanout: ready again after $s s" >> "$OUT/recovery.txt"
}

kill_db() {
  local pm; pm=$(head -1 "$OUT/data/pg/postmaster.pid")
  log "kill -9 the embedded PostgreSQL (postmaster $pm)"
  FAULT_UNTIL=1
  kill -9 "$pm"
  local t0; t0=$(date +%s%3N)
  # readiness says so first, then comes back
  until ! curl -sf -o /dev/null "$URL/health/ready"; do sleep 0.1; [ $(( $(date +%s%3N) - t0 )) -gt 10000 ] && break; done
  local down; down=$(echo "scale=1; ($(date +%s%3N) - $t0) / 1000" | bc)
  local s; s=$(wait_ready 120) || s="never"
  FAULT_UNTIL=0
  log "database: not ready after ${down} s, ready again after ${s} s more"
  echo "kill -9 database: /health/ready 503 after $down s, 200 again after $s s more" >> "$OUT/recovery.txt"
}

report() {
  log "waiting for every acknowledged job to finish"
  local acked=0 completed=0 other=0 batch n
  while read -r batch n; do
    acked=$((acked + n))
    curl -s -m 150 "$URL/v1/batches/$batch?wait=120" > "$OUT/batch.json"
    read -r c o < <(python3 -c 'import json,sys; b=json.load(open(sys.argv[1])); c=b["counts"].get("completed",0); print(c, b["total"]-c)' "$OUT/batch.json")
    completed=$((completed + c)); other=$((other + o))
  done < "$OUT/acked.tsv"
  curl -s "http://127.0.0.1:$TPORT/stats" > "$OUT/stats.json"
  local twice; twice=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["twice"]))' "$OUT/stats.json")
  local fivexx outside
  fivexx=$(awk -F'\t' '$3 ~ /^5/' "$OUT/codes.tsv" | wc -l)
  outside=$(awk -F'\t' '$3 ~ /^5/ && $4 == 0' "$OUT/codes.tsv" | wc -l)
  local lost=$((acked - completed))
  {
    echo "soak: $MINUTES min, kill -9 every $KILL_EVERY s, database killed at $DB_KILL_AT s"
    echo "jobs enqueued (201): $acked; completed: $completed; lost: $lost; not completed but stored: $other; run twice: $twice"
    echo "requests: $(wc -l < "$OUT/codes.tsv"); 5xx: $fivexx ($outside outside a fault window); no answer: $(awk -F'\t' '$3 == "000"' "$OUT/codes.tsv" | wc -l)"
    echo "cli fetch runs: $(grep -c 'cli exit 0' "$OUT/cli.log" || true) exited 0, $(grep -c 'cli exit [1-9]' "$OUT/cli.log" || true) did not"
    cat "$OUT/recovery.txt"
    echo "heap after each full GC (MB), per process:"
    for f in "$OUT"/gc-*.log; do
      printf '  %s:' "$(basename "$f" .log)"
      { grep -o 'Pause Full.* [0-9]*M->[0-9]*M' "$f" || true; } | sed 's/.*->\([0-9]*\)M/ \1/' | tr -d '\n'
      echo
    done
  } | tee "$OUT/result.txt"
  [ "$lost" -eq 0 ] && [ "$outside" -eq 0 ]
}

main() {
  need_pkgs curl:curl bc:bc
  rm -rf "$OUT" && mkdir -p "$OUT"
  : > "$OUT/acked.tsv"; : > "$OUT/codes.tsv"; : > "$OUT/recovery.txt"; : > "$OUT/cli.log"
  trap cleanup EXIT
  target
  start_fanout
  log "first start (builds the jar if needed): ready after $(wait_ready 900) s"
  local t0 now elapsed last_kill=0 last_minute=0 db_killed=0
  t0=$(date +%s)
  while :; do
    now=$(date +%s); elapsed=$((now - t0))
    [ $elapsed -ge $((MINUTES * 60)) ] && break
    if [ $((elapsed - last_kill)) -ge "$KILL_EVERY" ]; then last_kill=$elapsed; kill_fanout; continue; fi
    if [ $db_killed = 0 ] && [ $elapsed -ge "$DB_KILL_AT" ]; then db_killed=1; kill_db; continue; fi
    if [ $((elapsed - last_minute)) -ge 60 ]; then
      last_minute=$elapsed
      fetch_cli
      jcmd "$FANOUT_PID" GC.run > /dev/null 2>&1 || true
      log "$elapsed s: $(wc -l < "$OUT/acked.tsv") enqueues acknowledged"
    fi
    enqueue
    fetch_api
    sleep 1
  done
  [ -n "${CLI_PID:-}" ] && wait "$CLI_PID" 2>/dev/null || true
  jcmd "$FANOUT_PID" GC.run > /dev/null 2>&1 || true
  report
}

main "$@"
