#!/usr/bin/env bash
# Start-up time of xredline: milliseconds from exec of `java -jar` to the first 200 from
# /healthz/ready, against the external PostgreSQL and Redis (schema already current), as the
# performance issue's "ready <= 1.5 s" means it. Variants run interleaved (A B A B ...) so a build
# or benchmark on the same machine slows both alike; the medians are what to compare.
#
#   bench/startup.sh [--runs N] [VARIANT ...]
#
# A VARIANT is one word: a jar, optionally followed by JVM flags, e.g.
#   bench/startup.sh --runs 9 /tmp/baseline.jar "target/xredline.jar -XX:SharedArchiveFile=/tmp/x.jsa"
# Default: target/xredline.jar alone, 7 runs.
#
# Environment: STARTUP_PG_URL (admin URL, default postgresql://postgres@127.0.0.1:5432/postgres),
# STARTUP_REDIS_URL (default redis://127.0.0.1:6379/0), STARTUP_DB (default xr_startup),
# STARTUP_XMX (default 256m), STARTUP_LOG_DIR (server logs, default a temporary directory),
# STARTUP_TIMEOUT_S (give up on one start after this, default 60), STARTUP_HTTP_PORT and
# STARTUP_GRPC_PORT (default 18765 and 18766; pick others when someone else uses those, since a
# server that is not ours answering /healthz/ready would make a run meaningless).
# One untimed run first creates the database's schema, so every timed run sees it current.
# Prints one line per run and, per variant, the sorted times and the median.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS=7
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) break ;;
  esac
done
if [[ $# -eq 0 ]]; then set -- "$ROOT/target/xredline.jar"; fi
VARIANTS=("$@")

PG_URL="${STARTUP_PG_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
REDIS_URL="${STARTUP_REDIS_URL:-redis://127.0.0.1:6379/0}"
DB="${STARTUP_DB:-xr_startup}"
XMX="${STARTUP_XMX:-256m}"
TIMEOUT_S="${STARTUP_TIMEOUT_S:-60}"
HTTP_PORT="${STARTUP_HTTP_PORT:-18765}"
GRPC_PORT="${STARTUP_GRPC_PORT:-18766}"
KEY_PREFIX="xrstart:"
LOG_DIR="${STARTUP_LOG_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/xr-startup.XXXXXX")}"
mkdir -p "$LOG_DIR"
DB_URL="${PG_URL%/*}/$DB"

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "$*"; exit 1; }

for v in "${VARIANTS[@]}"; do
  read -r -a words <<<"$v"
  [[ -f "${words[0]}" ]] || die "no jar ${words[0]}"
done
port_in_use() { curl -s -o /dev/null -m 1 "http://127.0.0.1:$HTTP_PORT/"; }
if [[ -z "$(psql "$PG_URL" -Atc "select 1 from pg_database where datname = '$DB'")" ]]; then
  log "creating database $DB"
  psql "$PG_URL" -qc "create database $DB" >/dev/null
fi

# start_once runs in a command substitution (a subshell), so the server's pid is also kept in a
# file for the exit trap of this shell
SERVER_PID=""
PID_FILE="$LOG_DIR/server.pid"
stop_server() {
  if [[ -n "$SERVER_PID" ]]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
    rm -f "$PID_FILE"
  fi
}
stop_leftover() {
  local pid
  if [[ -f "$PID_FILE" ]]; then
    pid="$(cat "$PID_FILE")"
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    rm -f "$PID_FILE"
  fi
}
trap stop_leftover EXIT

# start_once LOGFILE JAR [FLAGS...]: prints ms from exec to ready, or fails
start_once() {
  local logfile="$1" jar="$2"
  shift 2
  local began deadline code
  if port_in_use; then
    log "port $HTTP_PORT is in use by another process; set STARTUP_HTTP_PORT"
    return 1
  fi
  began="$(date +%s%N)"
  env XREDLINE_ENV=test \
    XREDLINE_SERVER__HTTP__HOST=127.0.0.1 \
    XREDLINE_SERVER__HTTP__PORT="$HTTP_PORT" \
    XREDLINE_SERVER__GRPC__HOST=127.0.0.1 \
    XREDLINE_SERVER__GRPC__PORT="$GRPC_PORT" \
    XREDLINE_DATA__DATABASE__URL="$DB_URL" \
    XREDLINE_DATA__REDIS__URL="$REDIS_URL" \
    XREDLINE_DATA__REDIS__KEY_PREFIX="$KEY_PREFIX" \
    XREDLINE_AUTH__JWT__SECRET_KEY="startup-bench-secret-key-0123456789abcdef" \
    java "-Xmx$XMX" "$@" -jar "$jar" >"$logfile" 2>&1 &
  SERVER_PID=$!
  echo "$SERVER_PID" >"$PID_FILE"
  deadline=$(( began + TIMEOUT_S * 1000000000 ))
  while :; do
    code="$(curl -s -o /dev/null -m 1 -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/healthz/ready" || true)"
    if [[ "$code" == 200 ]]; then
      echo $(( ($(date +%s%N) - began) / 1000000 ))
      break
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      SERVER_PID=""
      log "the server exited before it was ready, see $logfile"
      return 1
    fi
    if (( $(date +%s%N) > deadline )); then
      log "not ready after ${TIMEOUT_S}s, see $logfile"
      stop_server
      return 1
    fi
    sleep 0.02
  done
  stop_server
}

log "PostgreSQL $DB_URL, Redis $REDIS_URL (prefix $KEY_PREFIX), logs in $LOG_DIR, load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"
read -r -a words <<<"${VARIANTS[0]}"
log "untimed run so the schema is current: $(start_once "$LOG_DIR/warmup.log" "${words[@]}") ms"

results="$LOG_DIR/results.tsv"
: >"$results"
for ((run = 1; run <= RUNS; run++)); do
  for ((i = 0; i < ${#VARIANTS[@]}; i++)); do
    read -r -a words <<<"${VARIANTS[$i]}"
    ms="$(start_once "$LOG_DIR/v$i-run$run.log" "${words[@]}")"
    printf '%s\t%s\n' "$i" "$ms" >>"$results"
    log "run $run variant $i: $ms ms (load $(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo ?))"
  done
done

redis-cli -u "$REDIS_URL" --scan --pattern "${KEY_PREFIX}*" 2>/dev/null \
  | xargs -r redis-cli -u "$REDIS_URL" del >/dev/null 2>&1 || true

for ((i = 0; i < ${#VARIANTS[@]}; i++)); do
  sorted="$(awk -F'\t' -v i="$i" '$1 == i { print $2 }' "$results" | sort -n | tr '\n' ' ')"
  median="$(awk -F'\t' -v i="$i" '$1 == i { print $2 }' "$results" | sort -n \
    | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print int((a[NR / 2] + a[NR / 2 + 1]) / 2) }')"
  printf 'variant %d: median %s ms  [%s]  %s\n' "$i" "$median" "${sorted% }" "${VARIANTS[$i]}"
done
