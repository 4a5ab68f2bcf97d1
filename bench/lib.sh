# Shared by the bench scripts: install Debian packages the scripts need, once.
# need_pkgs CMD:PACKAGE ... installs PACKAGE when CMD (a command, or an absolute path) is missing.
need_pkgs() {
  local missing=() pair cmd pkg
  for pair in "$@"; do
    cmd=${pair%%:*}; pkg=${pair#*:}
    if [ "${cmd#/}" != "$cmd" ]; then [ -e "$cmd" ] || missing+=("$pkg"); else command -v "$cmd" >/dev/null || missing+=("$pkg"); fi
  done
  if [ ${#missing[@]} -gt 0 ]; then
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
    echo "bench: installing ${missing[*]}" >&2
    $sudo apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}" >/dev/null
  fi
}

# The pgbench script of the jobs ceiling: a job's life as fanout's worker lives it, on rows of kind
# 'ceiling' no node claims: claim 50 (to running, returning the rows), then complete exactly those.
lifecycle_sql() {
  cat > "$1" <<SQL
WITH picked AS (SELECT id FROM fanout_job WHERE kind = 'ceiling' AND finalized_at IS NULL
  AND run_at <= now() AND (state <> 'running' OR lease_until < now()) ORDER BY priority DESC, run_at, id LIMIT 50 FOR NO KEY UPDATE SKIP LOCKED),
claimed AS (UPDATE fanout_job j SET state = 'running', attempt = j.attempt + 1, attempted_at = now(),
  lease_until = now() + interval '30 seconds' FROM picked WHERE j.id = picked.id RETURNING j.*)
SELECT coalesce(string_agg(id::text, ','), '0') AS ids FROM claimed \gset
UPDATE fanout_job SET state = 'completed', result = payload, finalized_at = now(), lease_until = NULL
WHERE id IN (:ids) AND state = 'running';
SQL
}
