#!/usr/bin/env bash
# A soak: the gateway (SQLite) under a steady mixed load for 10 minutes, its vital signs sampled every 10 s (RSS,
# GC heap, threads, open handles, p50/p99 latency, errors), and a trend fitted to each; writes bench/results/soak.md.
#   bench/soak.sh               10 minutes at 200 requests/s over 100,000 calls
#   bench/soak.sh --minutes N   N minutes instead
#   bench/soak.sh --smoke       30 s: the load runs without an error and every sign is sampled (CI runs this)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

MODE=full; MINUTES=10
while (($#)); do
  case "$1" in
    --smoke) MODE=smoke ;;
    --minutes) MINUTES=$2; shift ;;
    *) die "unknown argument $1" ;;
  esac
  shift
done
if [ "$MODE" = smoke ]; then
  CALLS=2000; SECONDS_TOTAL=30; INTERVAL=5; WARMUP=0
else
  CALLS=100000; SECONDS_TOTAL=$((MINUTES * 60)); INTERVAL=10; WARMUP=60
fi
WORK="$ROOT/bench/work/soak-$MODE"
REPORT="$ROOT/bench/results/soak.md"
PORT=5185; METRICS_PORT=5186
SOAK_DLL="$ROOT/bench/Salpre.Bench.Soak/bin/Release/net10.0/Salpre.Bench.Soak.dll"
rm -rf "$WORK"; mkdir -p "$WORK"
trap stop_all EXIT

build_release

DB="$WORK/soak.db"
log "loading $CALLS calls into one account"
dotnet "$DATA_DLL" --calls "$CALLS" --accounts 1 --out "$WORK/data" >/dev/null
created=$(admin accounts create --name soak --json | tail -n 1)
ACCOUNT=$(sed -E 's/.*"account_id":([0-9]+).*/\1/' <<<"$created")
admin import --account "$ACCOUNT" --file "$WORK/data/account-001.ndjson" >/dev/null || die "import"
KEY=$(admin keys create --account "$ACCOUNT" --scopes read,write,ingest --name soak --json | tail -n 1 | sed -E 's/.*"secret_key":"([^"]+)".*/\1/')
SERIAL=SOAK-BOX-1
admin devices add --account "$ACCOUNT" --serial "$SERIAL" --name "Soak box" >/dev/null || die "devices add"

# Limits far above the load: the soak watches the gateway, not its limiters' refusals.
MakeCall__CallsPerSecond=100000 MakeCall__Burst=100000 Metrics__Enabled=true Metrics__Urls="http://127.0.0.1:$METRICS_PORT" \
  start_gateway "$DB" "$PORT" "$WORK/gateway.log"
curl -fs -o /dev/null -X POST "http://127.0.0.1:$PORT/api/gateway/v1/salprebox/heartbeat" -H "account-secret-key: $KEY" \
  -H 'Content-Type: application/json' -d "{\"serial_no\":\"$SERIAL\"}" || die "first heartbeat"

log "soaking for $SECONDS_TOTAL s"
set +e
summary=$(dotnet "$SOAK_DLL" --url "http://127.0.0.1:$PORT" --key "$KEY" --serial "$SERIAL" --pid "$GATEWAY_PID" \
  --seconds "$SECONDS_TOTAL" --interval "$INTERVAL" --warmup "$WARMUP" --rate 200 --workers 16 \
  --metrics "http://127.0.0.1:$METRICS_PORT/metrics" --gc-metric "${SOAK_GC_METRIC:-dotnet_gc_last_collection_heap_size_bytes}" \
  --out "$WORK" | tail -n 1)
code=$?
set -e
log "$summary"

if [ "$MODE" = smoke ]; then
  samples=$(($(wc -l <"$WORK/samples.csv") - 1))
  check "the load ran without an error" "$code" "$summary (see $WORK/soak.md)"
  check "every sign was sampled ($samples samples)" "$([ "$samples" -ge 5 ] && ! grep -q ',,' "$WORK/samples.csv"; echo $?)" "$(cat "$WORK/samples.csv")"
  echo "smoke: $CHECKS_PASSED passed, $CHECKS_FAILED failed"
  exit 0
fi
{
  echo "# Soak"
  echo
  echo "\`bench/soak.sh --minutes $MINUTES\`: the Release gateway on SQLite with $CALLS calls in one account, $(nproc) cores, $(date -u +%Y-%m-%d)."
  echo "Mixed load of 200 operations/s (a make-call and its three reports are one) from 16 workers: list pages (cached and read afresh), cursor pages, details, logs,"
  echo "device list, statistics (by day and status, by agent), heartbeats, and make-calls each followed by ringing,"
  echo "in-progress and completed reports."
  echo
  cat "$WORK/soak.md"
} >"$REPORT"
log "report: $REPORT"
[ "$code" = 0 ] || die "$summary"
