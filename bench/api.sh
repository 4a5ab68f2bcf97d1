#!/usr/bin/env bash
# bench/api.sh — the HTTP API under wrk: POST /v1/fetch (10 URLs per request to a local
# zero-latency nginx) and GET /health/live, reporting requests/s and p99 latency.
#
#   bench/api.sh                       # 10 s per case, wrk -t1 -c 50
#   SECONDS_PER=20 CONNECTIONS=100 bench/api.sh
#
# Installs what it needs from Debian packages (nginx-light, wrk, curl). Sends traffic only to
# 127.0.0.1.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
OUT="${OUT:-$ROOT/bench/out/api}"
SECONDS_PER="${SECONDS_PER:-10}"
CONNECTIONS="${CONNECTIONS:-50}"
TARGET_PORT="${TARGET_PORT:-18091}"
API_PORT="${API_PORT:-18090}"

install() {
  need_pkgs nginx:nginx-light wrk:wrk curl:curl
}

cleanup() {
  [ -n "${FANOUT_PID:-}" ] && kill "$FANOUT_PID" 2>/dev/null && wait "$FANOUT_PID" 2>/dev/null || true
  nginx -c "$OUT/nginx.conf" -p "$OUT" -s stop 2>/dev/null || true
}

main() {
  install
  mkdir -p "$OUT/logs" "$OUT/tmp"
  [ -f "$ROOT/target/fanout.jar" ] || (cd "$ROOT" && mvn -B -q -DskipTests package)
  local body; body=$(head -c 1024 /dev/zero | tr '\0' 'a')
  cat > "$OUT/nginx.conf" <<CONF
worker_processes 1; daemon on; pid $OUT/nginx.pid; error_log $OUT/logs/error.log warn;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  client_body_temp_path $OUT/tmp; proxy_temp_path $OUT/tmp; fastcgi_temp_path $OUT/tmp; uwsgi_temp_path $OUT/tmp; scgi_temp_path $OUT/tmp;
  server { listen 127.0.0.1:$TARGET_PORT; location / { return 200 '$body'; } } }
CONF
  [ -f "$OUT/nginx.pid" ] && kill "$(cat "$OUT/nginx.pid")" 2>/dev/null || true
  nginx -c "$OUT/nginx.conf" -p "$OUT"
  trap cleanup EXIT

  FANOUT_HTTP_PORT=$API_PORT FANOUT_EGRESS_ALLOW=127.0.0.1/32 FANOUT_FETCH_PER_HOST=256 FANOUT_FETCH_RETRIES=0 \
    java -Xmx512m -jar "$ROOT/target/fanout.jar" serve > "$OUT/fanout.log" 2>&1 &
  FANOUT_PID=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$API_PORT/health/ready" >/dev/null && break; sleep 0.2; done

  local urls="" i
  for i in $(seq 1 10); do urls="$urls\"http://127.0.0.1:$TARGET_PORT/u$i\","; done
  echo "{\"urls\": [${urls%,}]}" > "$OUT/body.json"
  cat > "$OUT/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$OUT/body.json"); wrk.body = f:read("*a"); f:close()
LUA
  curl -sf -X POST -H 'Content-Type: application/json' --data @"$OUT/body.json" "http://127.0.0.1:$API_PORT/v1/fetch" \
    | grep -q '"ok":10' || { echo "bench: /v1/fetch did not fetch all 10 URLs" >&2; exit 1; }

  printf "%-28s %-10s %-10s %-12s\n" case req/s p99 fetches/s
  # warm-up, then the measured runs
  wrk -t1 -c "$CONNECTIONS" -d 5s -s "$OUT/post.lua" "http://127.0.0.1:$API_PORT/v1/fetch" >/dev/null
  local r
  r=$(wrk -t1 -c "$CONNECTIONS" -d "${SECONDS_PER}s" --latency -s "$OUT/post.lua" "http://127.0.0.1:$API_PORT/v1/fetch")
  printf "%-28s %-10s %-10s %-12s\n" "POST /v1/fetch (10 URLs)" "$(rps "$r")" "$(p99 "$r")" "$(awk "BEGIN{print 10 * $(rps "$r")}")"
  wrk -t1 -c "$CONNECTIONS" -d 3s "http://127.0.0.1:$API_PORT/health/live" >/dev/null
  r=$(wrk -t1 -c "$CONNECTIONS" -d "${SECONDS_PER}s" --latency "http://127.0.0.1:$API_PORT/health/live")
  printf "%-28s %-10s %-10s %-12s\n" "GET /health/live" "$(rps "$r")" "$(p99 "$r")" "-"
}

rps() { echo "$1" | awk '/Requests\/sec/ {printf "%d", $2}'; }
p99() { echo "$1" | awk '$1 == "99%" {print $2}'; }

main "$@"
