# Helpers shared by bench/run.sh: processes, wrk runs and their medians. Sourced, not run.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GATEWAY_DLL="$ROOT/src/Salpre.Gateway/bin/Release/net10.0/Salpre.Gateway.dll"
CEILING_DLL="$ROOT/bench/Salpre.Bench.Ceiling/bin/Release/net10.0/Salpre.Bench.Ceiling.dll"
DATA_DLL="$ROOT/bench/Salpre.Bench.Data/bin/Release/net10.0/Salpre.Bench.Data.dll"
WRITES_DLL="$ROOT/bench/Salpre.Bench.Writes/bin/Release/net10.0/Salpre.Bench.Writes.dll"
PIDS=()

log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

stop_all() {
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  done
  PIDS=()
}

# wait_for URL [seconds]: polls until the URL answers 200.
wait_for() {
  local deadline=$(( $(date +%s) + ${2:-60} ))
  until curl -fs -o /dev/null "$1"; do
    [ "$(date +%s)" -lt "$deadline" ] || die "$1 did not answer"
    sleep 0.05
  done
}

# gateway DB PORT LOGFILE: starts the Release gateway on a SQLite file; sets GATEWAY_PID.
start_gateway() {
  # Limits per key far above what one machine can send: the bench measures the gateway, not its limiter's refusals.
  RateLimiting__RequestsPerSecond=100000000 RateLimiting__Burst=100000000 \
    Storage__ConnectionString="Data Source=$1" dotnet "$GATEWAY_DLL" --urls "http://127.0.0.1:$2" >"$3" 2>&1 &
  GATEWAY_PID=$!
  PIDS+=("$GATEWAY_PID")
  wait_for "http://127.0.0.1:$2/readyz"
}

start_ceiling() {
  dotnet "$CEILING_DLL" --body "$1" --urls "http://127.0.0.1:$2" >"$3" 2>&1 &
  CEILING_PID=$!
  PIDS+=("$CEILING_PID")
  wait_for "http://127.0.0.1:$2/fixed"
}

admin() { Storage__ConnectionString="Data Source=$DB" dotnet "$GATEWAY_DLL" "$@"; }

# to_ms VALUE: wrk latency ("812.00us", "1.20ms", "2.01s") in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
    else printf "%s", v }'
}

# wrk_once ARGS...: one wrk run; prints "rps p50_ms p99_ms non2xx".
wrk_once() {
  local out
  out=$(wrk --latency "$@") || die "wrk $*"
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  echo "$rps $p50 $p99 ${non2xx:-0}"
}

# median: the middle of the numbers on stdin.
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else print v[int((NR + 1) / 2)] }'; }

# check NAME RESULT(0 = passed) DETAIL: one smoke check, counted.
CHECKS_PASSED=0; CHECKS_FAILED=0
check() {
  if [ "$2" = 0 ]; then CHECKS_PASSED=$((CHECKS_PASSED + 1)); log "ok - $1"; else CHECKS_FAILED=$((CHECKS_FAILED + 1)); log "not ok - $1: $3"; fi
}

