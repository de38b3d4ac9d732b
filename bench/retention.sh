#!/usr/bin/env bash
# How retention goes through a big account: for each rule, a scratch copy of DB (only read, with its -wal) served by
# the Release gateway with only that rule on; the first run (at start) is timed from the gateway's own log lines, while
# a box's heartbeats (writes, one at a time) are timed by curl to show what a writer waits meanwhile. One table row per rule.
#   bench/retention.sh bench/work/full/scale-1000000.db [DETAILS_DAYS] [CALLS_DAYS]
# BATCH=500 bench/retention.sh ... runs it with Retention:BatchSize=500 (default: the gateway's, 100).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

SOURCE=${1:?usage: bench/retention.sh DATABASE [DETAILS_DAYS] [CALLS_DAYS]}
[ -f "$SOURCE" ] || die "no database $SOURCE"
DETAILS_DAYS=${2:-60}
CALLS_DAYS=${3:-365}
PORT=5391
export Retention__BatchSize=${BATCH:-100}
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/salpre-retention-bench-XXXXXX")
PIDS=()
trap 'stop_all; rm -rf "$SCRATCH"' EXIT
build_release

count() { python3 -c "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" "$DB" "$1"; }

echo "| rule | days | calls before | changed | seconds | calls/s | batch size | heartbeats during | heartbeat p50 ms | heartbeat max ms | build |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for rule in details calls; do
  DB="$SCRATCH/$rule.db"
  cp "$SOURCE" "$DB"
  [ -f "$SOURCE-wal" ] && cp "$SOURCE-wal" "$DB-wal"
  account=$(count "SELECT min(id) FROM accounts")
  key=$(admin keys create --account "$account" --scopes ingest --json | tail -n 1 | sed -E 's/.*"secret_key":"([^"]+)".*/\1/')
  admin devices add --account "$account" --serial BENCH-RETENTION --name bench >/dev/null
  before=$([ "$rule" = details ] && count "SELECT count(*) FROM call_details" || count "SELECT count(*) FROM calls")
  if [ "$rule" = details ]; then days=$DETAILS_DAYS; setting=Retention__CallDetailsDays; else days=$CALLS_DAYS; setting=Retention__CallsDays; fi
  export "$setting=$days" Logging__Console__FormatterName=simple Logging__Console__FormatterOptions__SingleLine=true \
    Logging__Console__FormatterOptions__TimestampFormat="HH:mm:ss.fff "
  start_gateway "$DB" "$PORT" "$SCRATCH/$rule.log"
  unset "$setting"
  # Heartbeats until the run's summary line is logged.
  : >"$SCRATCH/beats"
  until grep -q "Retention of" "$SCRATCH/$rule.log"; do
    curl -s -o /dev/null -w '%{time_total}\n' -H "account-secret-key: $key" -H 'content-type: application/json' \
      -d '{"serial_no":"BENCH-RETENTION","battery_level":80}' "http://127.0.0.1:$PORT/api/gateway/v1/salprebox/heartbeat" >>"$SCRATCH/beats"
  done
  stop_all
  changed=$(grep -oE "Retention of [A-Za-z]+: [0-9]+ accounts, [0-9]+ calls" "$SCRATCH/$rule.log" | grep -oE "[0-9]+ calls" | grep -oE "[0-9]+")
  # From the first line the gateway logged to the summary: the run starts with the host, before it listens.
  first=$(grep -m1 -oE "^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}" "$SCRATCH/$rule.log")
  last=$(grep "Retention of" "$SCRATCH/$rule.log" | grep -oE "^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}")
  seconds=$(python3 -c "import sys
def s(t): h, m, rest = t.split(':'); return int(h) * 3600 + int(m) * 60 + float(rest)
print(f'{s(sys.argv[2]) - s(sys.argv[1]):.2f}')" "$first" "$last")
  beats=$(wc -l <"$SCRATCH/beats")
  p50=$(awk '{ print $1 * 1000 }' "$SCRATCH/beats" | median)
  max=$(awk '{ print $1 * 1000 }' "$SCRATCH/beats" | sort -g | tail -n 1)
  awk -v r="$rule" -v d="$days" -v b="$before" -v c="$changed" -v s="$seconds" -v n="$beats" -v p="$p50" -v m="$max" -v built="$BUILT_FROM" -v size="$Retention__BatchSize" 'BEGIN {
    printf "| %s | %d | %d | %d | %.2f | %.0f | %d | %d | %.1f | %.1f | %s |\n", r, d, b, c, s, c / s, size, n, p, m, built }'
  rm -f "$DB" "$DB-wal" "$DB-shm"
done
