#!/usr/bin/env bash
# bench/fetch.sh — fanout fetch against wrk on the same local target, in the same run.
#
# Serves a ~1 KB body from nginx (with the echo module for latency) on 127.0.0.1, several ports,
# then for each latency L and concurrency C:
#   - fanout fetch on N URLs spread over the ports, --concurrency C --per-host C (so C binds),
#   - wrk -c C on the same nginx for the same time,
#   - the bare Vert.x HTTP client (bench/BareClient.java) on the same N URLs with C in flight,
#     then again doing the work of fanout's result lines (SHA-256, headers, a JSON line per URL),
# and prints fanout's URLs/s, the ratio to wrk's rate, to the bare client's and to the ideal C / L,
# fanout's CPU seconds and peak RSS.
#
#   bench/fetch.sh                      # L = 0 and 20 ms, C = 50, 200, 1000
#   LATENCIES="20" CONCURRENCY="200" bench/fetch.sh
#   bench/fetch.sh --million            # 1,000,000 URLs with -Xmx256m: memory stays flat
#   bench/fetch.sh --cold               # 20,000 URLs, a fresh JVM per run through ./run.sh as users
#                                       # run it (no options), medians of REPEAT = 3 runs per cell
#   VIA=1 bench/fetch.sh --cold         # also the same list through a running fanout (fetch --via)
#
# --cold times the result lines on stdout from the first to the last (JVM start excluded; a small
# python3 reader stamps them), and runs the bare client as a fresh JVM too, with the JIT options
# run.sh gives a list of this size (C1 only, see run.sh), timed from its first result to its last.
# Columns: wrk/s, bare/s, fanout/s (medians), fanout's ratio to wrk and to the bare client, its
# CPU seconds and CPU microseconds per URL, its peak RSS.
#
# Columns: fanout/s is the whole run (JVM start and JIT warm-up included); steady/s is the rate
# over the second half of the run; vs-wrk and steady% divide them by wrk's rate; vs-bare divides
# fanout/s by the bare client's whole-run rate (bare/s), which is what Vert.x's client alone reaches
# here: the part of the gap to wrk that is fanout's own; vs-lines by the bare client's rate when it
# also writes fanout's result lines (lines/s): what is left is fanout's engine (list, limits, policy,
# timeouts, retries). bare-c and lines-c are their CPU seconds.
#
# Installs what it needs from Debian packages (nginx-light, libnginx-mod-http-echo, wrk, time, curl).
# Sends traffic only to 127.0.0.1.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
OUT="${OUT:-$ROOT/bench/out}"
LATENCIES="${LATENCIES:-0 20}"
CONCURRENCY="${CONCURRENCY:-50 200 1000}"
PORTS="${PORTS:-18081 18082 18083 18084}"
WRK_SECONDS="${WRK_SECONDS:-10}"
FANOUT_SECONDS="${FANOUT_SECONDS:-20}"   # N is sized so fanout runs about this long at the ideal rate
N0="${N0:-1000000}"                       # URLs at latency 0
HEAP="${HEAP:-512m}"
MILLION=0
[ "${1:-}" = "--million" ] && MILLION=1
COLD=0
[ "${1:-}" = "--cold" ] && COLD=1
REPEAT="${REPEAT:-3}"
CELLS="${CELLS:-0:50 0:200 0:1000 20:200 20:1000}"   # --cold: latency:concurrency
VIA="${VIA:-0}"                 # --cold: 1 adds fetch --via a fanout serving on VIA_PORT (started here)
VIA_PORT="${VIA_PORT:-18089}"

install() {
  need_pkgs nginx:nginx-light /usr/lib/nginx/modules/ngx_http_echo_module.so:libnginx-mod-http-echo \
    wrk:wrk /usr/bin/time:time curl:curl
}

start_nginx() {
  mkdir -p "$OUT/nginx/logs"
  local body; body=$(head -c 1024 /dev/zero | tr '\0' 'a')
  {
    echo "load_module /usr/lib/nginx/modules/ngx_http_echo_module.so;"
    echo "worker_processes 1; daemon on; pid $OUT/nginx/nginx.pid; error_log $OUT/nginx/logs/error.log warn;"
    echo "events { worker_connections 8192; multi_accept on; }"
    echo "http { access_log off; keepalive_requests 1000000; keepalive_timeout 60s;"
    echo "  client_body_temp_path $OUT/nginx/tmp; proxy_temp_path $OUT/nginx/tmp; fastcgi_temp_path $OUT/nginx/tmp;"
    echo "  uwsgi_temp_path $OUT/nginx/tmp; scgi_temp_path $OUT/nginx/tmp;"
    echo "  server {"
    for p in $PORTS; do echo "    listen 127.0.0.1:$p backlog=4096;"; done
    echo "    default_type text/plain;"
    echo "    location = /d0 { return 200 '$body'; }"
    for l in $LATENCIES; do
      [ "$l" = 0 ] && continue
      echo "    location = /d$l { echo_sleep $(awk "BEGIN{print $l/1000}"); echo '$body'; }"
    done
    echo "  }"
    echo "}"
  } > "$OUT/nginx/nginx.conf"
  mkdir -p "$OUT/nginx/tmp"
  # a server left over from an interrupted run would answer with an old configuration
  if [ -f "$OUT/nginx/nginx.pid" ]; then kill "$(cat "$OUT/nginx/nginx.pid")" 2>/dev/null || true; sleep 1; fi
  nginx -c "$OUT/nginx/nginx.conf" -p "$OUT/nginx"
  for l in $LATENCIES; do
    local code; code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$(echo "$PORTS" | awk '{print $1}')/d$l" || true)
    [ "$code" = 200 ] || { echo "bench: nginx answers /d$l with $code, not 200" >&2; exit 1; }
  done
  trap 'nginx -c "$OUT/nginx/nginx.conf" -p "$OUT/nginx" -s stop 2>/dev/null || true' EXIT
}

urls() { # N PATH -> file
  local n=$1 path=$2 file="$OUT/urls-$1-${2//\//}.txt"
  if [ ! -f "$file" ]; then
    local ports=($PORTS)
    awk -v n="$n" -v path="$path" -v ports="${ports[*]}" 'BEGIN { k = split(ports, p, " ");
      for (i = 0; i < n; i++) printf "http://127.0.0.1:%s%s?i=%d\n", p[(i % k) + 1], path, i }' > "$file"
  fi
  echo "$file"
}

# through ./run.sh, so with the JVM options it gives the fetch command (the serial collector and
# the class-data archive)
run_fanout() { # N C PATH HEAP -> "overall steady cpu rss"
  local n=$1 c=$2 path=$3 heap=$4 file; file=$(urls "$n" "$path")
  FANOUT_JAVA_OPTS="-Xmx$heap -Dfanout.cli.progressIntervalMs=1000" /usr/bin/time -f "%U %S %M" -o "$OUT/time.txt" \
    "$ROOT/run.sh" fetch "$file" \
      --concurrency "$c" --per-host "$c" --retries 0 --allow 127.0.0.1/32 > /dev/null 2> "$OUT/fanout.err"
  rates "$n"
}

# the bare Vert.x HTTP client (bench/BareClient.java) on the same URLs: the library's own ceiling
# (BARE_LINES=1: also the work each result line of fanout's requires, and the lines on stdout)
run_bare() { # N C PATH HEAP -> "overall steady cpu rss"
  local n=$1 c=$2 path=$3 heap=$4
  # shellcheck disable=SC2086
  /usr/bin/time -f "%U %S %M" -o "$OUT/time.txt" \
    java -XX:+UseSerialGC -Xmx"$heap" -Dbare.lines="$([ "${BARE_LINES:-0}" = 1 ] && echo true || echo false)" -cp "$ROOT/target/fanout.jar:$OUT/bare" BareClient "$n" "$c" "$path" $PORTS \
      > /dev/null 2> "$OUT/fanout.err"
  rates "$n"
}

rates() { # N -> "overall steady cpu rss" from $OUT/fanout.err and $OUT/time.txt
  local n=$1
  local summary; summary=$(grep '^fetched' "$OUT/fanout.err" | tail -1)
  local ok; ok=$(echo "$summary" | sed -E 's/.*: ([0-9]+) ok.*/\1/')
  [ "$ok" = "$n" ] || { echo "bench: fanout fetched only $ok of $n ok:" >&2; tail -3 "$OUT/fanout.err" >&2; }
  local overall; overall=$(echo "$summary" | sed -E 's/.*\(([0-9]+)\/s\).*/\1/')
  # steady state: the rate over the second half of the progress lines (one a second), after JIT warm-up
  local steady; steady=$(awk -F'[ /]' '/^progress:/ {d[++k] = $2} END {
      if (k < 4) { print "-"; exit } m = int(k / 2); printf "%d", (d[k] - d[m]) / (k - m) }' "$OUT/fanout.err")
  read -r u s m < "$OUT/time.txt"
  echo "$overall $steady $(awk "BEGIN{printf \"%.1f\", $u + $s}") $((m / 1024))"
}

run_wrk() { # C PATH -> rate
  local c=$1 path=$2 port; port=$(echo "$PORTS" | awk '{print $1}')
  wrk -t 1 -c "$c" -d "${WRK_SECONDS}s" "http://127.0.0.1:$port$path" | awk '/Requests\/sec/ {printf "%d", $2}'
}

# compiled once (the source launcher would compile it in every run, inside the measured JVM)
compile_bare() {
  rm -rf "$OUT/bare" && mkdir -p "$OUT/bare"
  javac -nowarn -cp "$ROOT/target/fanout.jar" -d "$OUT/bare" "$ROOT/bench/BareClient.java"
}

# "lines rate": the rate of the lines on stdin from the first to the last
stamp() {
  python3 -c 'import sys, time
n = 0
for line in sys.stdin.buffer:
    t = time.monotonic()
    if n == 0: first = t
    n += 1
print(n, "%.0f" % ((n - 1) / (t - first)) if n > 1 else 0)'
}

# --cold: a fresh ./run.sh per run, no options beyond the fetch's own; "rate cpu rss" with the
# rate from the first result line on stdout to the last
cold_fanout() { # N C PATH
  local file; file=$(urls "$1" "$3")
  /usr/bin/time -f "%U %S %M" -o "$OUT/time.txt" "$ROOT/run.sh" fetch "$file" \
      --concurrency "$2" --per-host "$2" --retries 0 --allow 127.0.0.1/32 2> "$OUT/fanout.err" \
    | stamp > "$OUT/stamp.txt"
  local n rate u s m; read -r n rate < "$OUT/stamp.txt"; read -r u s m < "$OUT/time.txt"
  [ "$n" = "$1" ] || echo "bench: fanout printed $n of $1 results" >&2
  grep -q "$1 ok" "$OUT/fanout.err" || { echo "bench: not all ok:" >&2; tail -2 "$OUT/fanout.err" >&2; }
  echo "$rate $(awk "BEGIN{printf \"%.2f\", $u + $s}") $((m / 1024))"
}

# --cold: the bare client as a fresh JVM with the JIT options run.sh gives fanout for this size
cold_bare() { # N C PATH
  java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xms16m -cp "$ROOT/target/fanout.jar:$OUT/bare" BareClient \
    "$1" "$2" "$3" $PORTS 2> "$OUT/bare.err" > /dev/null
  sed -nE 's/^first to last: .* \(([0-9]+)\/s\)/\1/p' "$OUT/bare.err"
}

# VIA=1: a fanout serving as users start it (./run.sh serve, its own data directory), its
# fetchers' per-host limit over every cell's C, warmed by one list through it before any is timed
start_via() {
  rm -rf "$OUT/via-data"
  FANOUT_HTTP_PORT=$VIA_PORT FANOUT_DATA_DIR="$OUT/via-data" "$ROOT/run.sh" serve \
    --conf '{"fetch": {"perHost": 1000}, "egress": {"allow": ["127.0.0.1/32"]}}' > "$OUT/via.log" 2>&1 &
  VIA_PID=$!
  trap 'kill "$VIA_PID" 2>/dev/null; nginx -c "$OUT/nginx/nginx.conf" -p "$OUT/nginx" -s stop 2>/dev/null || true' EXIT
  local _
  for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$VIA_PORT/health/ready" > /dev/null && break; sleep 0.2; done
  cold_via 20000 200 /d0 > /dev/null
  VIA_CPU0=$(cpu_s "$VIA_PID")
}

# VIA=1: "rate cpu rss" of ./run.sh fetch --via the running fanout (the CLI's CPU and RSS; the
# server's CPU is in the line after the table)
cold_via() { # N C PATH
  local file; file=$(urls "$1" "$3")
  /usr/bin/time -f "%U %S %M" -o "$OUT/time.txt" "$ROOT/run.sh" fetch "$file" --via "http://127.0.0.1:$VIA_PORT" \
      --concurrency "$2" --retries 0 2> "$OUT/via.err" | stamp > "$OUT/stamp.txt"
  local n rate u s m; read -r n rate < "$OUT/stamp.txt"; read -r u s m < "$OUT/time.txt"
  [ "$n" = "$1" ] || echo "bench: fetch --via printed $n of $1 results" >&2
  grep -q "$1 ok" "$OUT/via.err" || { echo "bench: --via not all ok:" >&2; tail -2 "$OUT/via.err" >&2; }
  echo "$rate $(awk "BEGIN{printf \"%.2f\", $u + $s}") $((m / 1024))"
}

# CPU seconds (user + system) a process has used so far
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); printf "%.1f\n", ($12 + $13) / hz }' "/proc/$1/stat"; }

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

cold() {
  local n=20000
  echo "cold: $n URLs, a fresh JVM per run through ./run.sh; medians of $REPEAT runs per cell ($(date -u +%FT%TZ))"
  printf "%-8s %-5s %-8s %-8s %-9s %-7s %-8s %-7s %-8s %-7s %s\n" \
    latency C wrk/s bare/s fanout/s vs-wrk vs-bare cpu-s cpu-us/url rss-MB "fanout runs (URLs/s)"
  [ "$VIA" = 1 ] && printf "%-8s %-5s %-8s %-9s %-7s %-7s %-7s %s\n" "" "" "" via/s vs-wrk cli-cpu cli-rss "via runs (URLs/s)"
  local cell
  for cell in $CELLS; do
    local l=${cell%%:*} c=${cell#*:} ws="" bs="" fs="" cs="" rs="" vs="" vcs="" vrs="" r w b f cpu rss
    run_wrk "$c" "/d$l" >/dev/null 2>&1 || true   # warm nginx
    for ((r = 0; r < REPEAT; r++)); do
      w=$(run_wrk "$c" "/d$l"); b=$(cold_bare "$n" "$c" "/d$l")
      read -r f cpu rss < <(cold_fanout "$n" "$c" "/d$l")
      ws+=" $w"; bs+=" $b"; fs+=" $f"; cs+=" $cpu"; rs+=" $rss"
      if [ "$VIA" = 1 ]; then
        read -r f cpu rss < <(cold_via "$n" "$c" "/d$l")
        vs+=" $f"; vcs+=" $cpu"; vrs+=" $rss"
      fi
    done
    w=$(echo "$ws" | median); b=$(echo "$bs" | median); f=$(echo "$fs" | median)
    cpu=$(echo "$cs" | median); rss=$(echo "$rs" | median)
    printf "%-8s %-5s %-8s %-8s %-9s %-7s %-8s %-7s %-8s %-7s %s\n" "${l}ms" "$c" "$w" "$b" "$f" \
      "$(awk "BEGIN{printf \"%.2f\", $f / $w}")" "$(awk "BEGIN{printf \"%.2f\", $f / $b}")" "$cpu" \
      "$(awk "BEGIN{printf \"%.0f\", $cpu * 1e6 / $n}")" "$rss" "$fs"
    if [ "$VIA" = 1 ]; then
      f=$(echo "$vs" | median)
      printf "%-8s %-5s %-8s %-9s %-7s %-7s %-7s %s\n" "" "via" "" "$f" "$(awk "BEGIN{printf \"%.2f\", $f / $w}")" \
        "$(echo "$vcs" | median)" "$(echo "$vrs" | median)" "$vs"
    fi
  done
  [ "$VIA" = 1 ] && echo "(via: the running fanout's own CPU over the timed runs, idle between them included: $(awk "BEGIN{printf \"%.1f\", $(cpu_s "$VIA_PID") - $VIA_CPU0}") s)"
  return 0
}

main() {
  install
  mkdir -p "$OUT"
  "$ROOT/run.sh" fetch --help > /dev/null   # builds the jar and the class-data archive when stale
  compile_bare
  if [ "$COLD" = 1 ]; then
    LATENCIES="$(for c in $CELLS; do echo "${c%%:*}"; done | sort -un | tr '\n' ' ')"
    start_nginx
    [ "$VIA" = 1 ] && start_via
    WRK_SECONDS="${WRK_SECONDS_COLD:-5}" cold
    return
  fi
  start_nginx
  if [ "$MILLION" = 1 ]; then
    local n=1000000
    echo "1,000,000 URLs, latency 0, concurrency 200, -Xmx256m"
    read -r rate steady cpu rss < <(run_fanout $n 200 /d0 256m)
    echo "fanout: $rate URLs/s (steady $steady/s), CPU ${cpu} s, peak RSS ${rss} MB; $(tail -1 "$OUT/fanout.err")"
    return
  fi
  printf "%-8s %-5s %-8s %-8s %-8s %-8s %-9s %-9s %-7s %-8s %-8s %-9s %-8s %-9s %-6s %-6s %-6s %-7s\n" \
    latency C N wrk/s bare/s lines/s fanout/s steady/s vs-wrk steady% vs-bare vs-lines ideal/s vs-ideal \
    cpu-s bare-c lines-c rss-MB
  for l in $LATENCIES; do
    for c in $CONCURRENCY; do
      local ideal n
      if [ "$l" = 0 ]; then ideal=0; n=$N0; else
        ideal=$((c * 1000 / l)); n=$((ideal * FANOUT_SECONDS)); [ $n -lt 20000 ] && n=20000; [ $n -gt 1000000 ] && n=1000000
      fi
      run_wrk "$c" "/d$l" >/dev/null 2>&1 || true   # warm nginx
      local w; w=$(run_wrk "$c" "/d$l")
      local b bcpu bl blcpu
      read -r b _ bcpu _ < <(run_bare "$n" "$c" "/d$l" "$HEAP")
      read -r bl _ blcpu _ < <(BARE_LINES=1 run_bare "$n" "$c" "/d$l" "$HEAP")
      read -r f st cpu rss < <(run_fanout "$n" "$c" "/d$l" "$HEAP")
      local vw vs vi vb vl
      vw=$(awk "BEGIN{printf \"%.0f%%\", 100 * $f / $w}")
      vb=$(awk "BEGIN{printf \"%.0f%%\", 100 * $f / $b}")
      vl=$(awk "BEGIN{printf \"%.0f%%\", 100 * $f / $bl}")
      vs=$([ "$st" = "-" ] && echo "-" || awk "BEGIN{printf \"%.0f%%\", 100 * $st / $w}")
      if [ "$ideal" = 0 ]; then vi="-"; ideal="-"; else vi=$(awk "BEGIN{printf \"%.0f%%\", 100 * $f / $ideal}"); fi
      printf "%-8s %-5s %-8s %-8s %-8s %-8s %-9s %-9s %-7s %-8s %-8s %-9s %-8s %-9s %-6s %-6s %-6s %-7s\n" \
        "${l}ms" "$c" "$n" "$w" "$b" "$bl" "$f" "$st" "$vw" "$vs" "$vb" "$vl" "$ideal" "$vi" "$cpu" "$bcpu" "$blcpu" "$rss"
    done
  done
}

main "$@"
