#!/usr/bin/env bash
# Bulk export of one account's calls on SQLite, measured in one run on this machine:
#   - `salpre calls export` to NDJSON, NDJSON with details, and CSV with details: calls/s end to end (the command's
#     wall time, median of 3 runs), the CLI's peak RSS, and the gateway's peak RSS growth during the export;
#   - the export endpoint alone (curl to a file, plain and gzip): what the CLI adds on top;
#   - exact round trips: the NDJSON and the CSV exports (with details) imported into fresh databases and exported
#     again, byte for byte the NDJSON export.
#   bench/export.sh          1,000,000 calls (generated and imported once, kept in bench/work/export-full);
#                            writes bench/results/export.md (about 10 minutes the first time)
#   bench/export.sh --smoke  20,000 calls, one run of each: every export holds every call, round trips exact (CI runs this)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

MODE=full
for arg in "$@"; do
  case "$arg" in
    --smoke) MODE=smoke ;;
    *) die "unknown argument $arg" ;;
  esac
done
if [ "$MODE" = smoke ]; then CALLS=20000; RUNS=1; else CALLS=1000000; RUNS=3; fi
WORK="$ROOT/bench/work/export-$MODE"
REPORT="$ROOT/bench/results/export.md"
[ "$MODE" = smoke ] && REPORT="$WORK/export.md"
GW_PORT=5189; COPY_PORT=5184
CLI_DLL="$ROOT/src/Salpre.Cli/bin/Release/net10.0/salpre.dll"
mkdir -p "$WORK"
trap stop_all EXIT

[ "$MODE" = smoke ] || command -v /usr/bin/time >/dev/null || { log "installing time"; sudo=$(command -v sudo || true); $sudo apt-get install -y -qq time >/dev/null; }
build_release

# --- data: one account, generated and imported once --------------------------------------------------------------
DB="$WORK/calls.db"
if [ ! -f "$WORK/data.keys" ]; then
  rm -rf "$WORK/data" "$DB" "$DB"-*
  log "generating $CALLS calls in one account"
  dotnet "$DATA_DLL" --calls "$CALLS" --accounts 1 --out "$WORK/data" >/dev/null || die "data"
  created=$(admin accounts create --name export --json | tail -n 1)
  account=$(sed -E 's/.*"account_id":([0-9]+).*/\1/' <<<"$created")
  key=$(sed -E 's/.*"secret_key":"([^"]+)".*/\1/' <<<"$created")
  start=$(date +%s.%N)
  admin import --account "$account" --file "$WORK/data/account-001.ndjson" >/dev/null || die "import"
  echo "$key $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')" >"$WORK/data.keys"
  rm -rf "$WORK/data"
fi
read -r KEY IMPORT_SECONDS <"$WORK/data.keys"
start_gateway "$DB" "$GW_PORT" "$WORK/gateway.log"
SOURCE_PID=$GATEWAY_PID
BASE="http://127.0.0.1:$GW_PORT"

salpre() { SALPRE_API_KEY=$1 SALPRE_BASE_URL="$2/" dotnet "$CLI_DLL" "${@:3}"; }
kb() { awk -v field="$2:" '$1 == field { print $2 }' "/proc/$1/status"; }

# timed_export NAME FILE ARGS...: one export through the CLI; appends "seconds cli_peak_kb gateway_growth_kb" to $WORK/NAME.runs.
timed_export() {
  local name=$1 file=$2; shift 2
  echo 5 >"/proc/$SOURCE_PID/clear_refs" # the gateway's peak RSS starts again from its RSS now
  local before; before=$(kb "$SOURCE_PID" VmRSS)
  if [ "$MODE" = smoke ]; then
    salpre "$KEY" "$BASE" calls export "$@" -o "$file" || die "$name"
    echo "0 0 0" >>"$WORK/$name.runs"
  else
    /usr/bin/time -f "%e %M" -o "$WORK/time" env SALPRE_API_KEY="$KEY" SALPRE_BASE_URL="$BASE/" dotnet "$CLI_DLL" calls export "$@" -o "$file" || die "$name"
    echo "$(cat "$WORK/time") $(( $(kb "$SOURCE_PID" VmHWM) - before ))" >>"$WORK/$name.runs"
  fi
}

# timed_curl NAME FILE [CURL-ARGS...]: the endpoint alone; appends its seconds to $WORK/NAME.runs.
timed_curl() {
  local name=$1 file=$2; shift 2
  local start; start=$(date +%s.%N)
  curl -fsS -o "$file" -H "account-secret-key: $KEY" "$@" "$BASE/api/gateway/v1/call/export" || die "$name"
  echo "$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }') 0 0" >>"$WORK/$name.runs"
}

rm -f "$WORK"/*.runs
log "warming up"
salpre "$KEY" "$BASE" calls export -o "$WORK/warm.ndjson" || die "warm-up"
for _ in $(seq "$RUNS"); do
  timed_export ndjson "$WORK/calls.ndjson"
  timed_export details "$WORK/details.ndjson" --with-details
  timed_export csv "$WORK/details.csv" --with-details --format csv
  timed_curl curl "$WORK/curl.ndjson"
  timed_curl gzip "$WORK/curl.ndjson.gz" -H "Accept-Encoding: gzip"
done

lines=$(wc -l <"$WORK/calls.ndjson")
check "the NDJSON export holds every call" "$([ "$lines" = "$CALLS" ]; echo $?)" "$lines lines"
check "the CLI's NDJSON is the endpoint's, byte for byte" "$(cmp -s "$WORK/calls.ndjson" "$WORK/curl.ndjson"; echo $?)" "they differ"
check "the gzip export is the same NDJSON" "$(gunzip -c "$WORK/curl.ndjson.gz" | cmp -s - "$WORK/calls.ndjson"; echo $?)" "it differs"
lines=$(wc -l <"$WORK/details.ndjson")
check "the details export holds every call" "$([ "$lines" = "$CALLS" ]; echo $?)" "$lines lines"

# --- round trips: each export imported into a fresh database, then exported again as NDJSON with details ----------
round_trip() {
  local name=$1 file=$2 copy="$WORK/copy-$1.db"
  rm -f "$copy" "$copy"-*
  local created account key
  created=$(DB=$copy admin accounts create --name copy --json | tail -n 1)
  account=$(sed -E 's/.*"account_id":([0-9]+).*/\1/' <<<"$created")
  key=$(sed -E 's/.*"secret_key":"([^"]+)".*/\1/' <<<"$created")
  DB=$copy admin import --account "$account" --file "$file" >/dev/null || die "import of the $name export"
  start_gateway "$copy" "$COPY_PORT" "$WORK/copy.log"
  salpre "$key" "http://127.0.0.1:$COPY_PORT" calls export --with-details -o "$WORK/again-$name.ndjson" || die "export of the copy"
  kill "$GATEWAY_PID"; wait "$GATEWAY_PID" 2>/dev/null || true
  check "the $name export, imported and exported again, is the same NDJSON" \
    "$(cmp -s "$WORK/again-$name.ndjson" "$WORK/details.ndjson"; echo $?)" "$(cmp "$WORK/again-$name.ndjson" "$WORK/details.ndjson" 2>&1 | head -n 1)"
}
round_trip ndjson "$WORK/details.ndjson"
round_trip csv "$WORK/details.csv"

if [ "$MODE" != smoke ]; then
  # row NAME LABEL COMMAND: median seconds, calls/s, and the CLI's and the gateway's memory.
  row() {
    local seconds peak growth
    seconds=$(awk '{ print $1 }' "$WORK/$1.runs" | median)
    peak=$(awk '{ print $2 }' "$WORK/$1.runs" | median)
    growth=$(awk '{ print $3 }' "$WORK/$1.runs" | median)
    local rate; rate=$(awk -v n="$CALLS" -v s="$seconds" 'BEGIN { printf "%.0f", n / s }')
    local memory="| | "
    [ "$peak" = 0 ] || memory="| $(( peak / 1024 )) | $(( growth / 1024 )) "
    echo "| $2 | $seconds | $rate $memory| \`$3\` |"
  }
  GZIP_BYTES=$(stat -c %s "$WORK/curl.ndjson.gz"); PLAIN_BYTES=$(stat -c %s "$WORK/curl.ndjson")
  {
    echo "# Bulk export, one run"
    echo
    echo "Made by \`bench/export.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), commit \`$BUILT_FROM\`;"
    echo "$(nproc) cores ($(lscpu | sed -nE 's/^Model name: +//p' | head -n 1)), gateway and CLI on one machine, loopback, SQLite."
    echo
    echo "One account of $CALLS generated calls, imported with \`Salpre.Gateway import\` in $IMPORT_SECONDS s"
    echo "($(awk -v n="$CALLS" -v s="$IMPORT_SECONDS" 'BEGIN { printf "%.0f", n / s }') calls/s). Each export runs $RUNS times; the table shows medians. The CLI's peak"
    echo "RSS is \`/usr/bin/time\`'s maximum resident set; the gateway's growth is its peak RSS during the export (reset"
    echo "through \`/proc/PID/clear_refs\` before each) less its RSS before."
    echo
    echo "| export | seconds | calls/s | CLI peak RSS MB | gateway RSS growth MB | command |"
    echo "|---|---|---|---|---|---|"
    row ndjson "NDJSON through the CLI" "salpre calls export -o calls.ndjson"
    row details "NDJSON with details through the CLI" "salpre calls export --with-details -o details.ndjson"
    row csv "CSV with details through the CLI" "salpre calls export --with-details --format csv -o details.csv"
    row curl "NDJSON, the endpoint alone" "curl -o calls.ndjson -H 'account-secret-key: KEY' GATEWAY/api/gateway/v1/call/export"
    row gzip "NDJSON gzip, the endpoint alone" "curl -H 'Accept-Encoding: gzip' ... /call/export"
    echo
    echo "The NDJSON export is $PLAIN_BYTES bytes, $GZIP_BYTES gzipped. Checks: $CHECKS_PASSED passed, $CHECKS_FAILED failed"
    echo "(every call in each export, the CLI's file equal to the endpoint's, and the NDJSON and CSV exports with details"
    echo "imported into fresh databases and exported again byte for byte the same)."
  } >"$REPORT"
  log "wrote $REPORT"
fi
echo "smoke: $CHECKS_PASSED passed, $CHECKS_FAILED failed"
