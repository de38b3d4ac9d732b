#!/usr/bin/env bash
# Measures the gateway next to the framework's ceiling and writes bench/results/latest.md.
#   bench/run.sh            1,000,000 calls over 100 accounts; 3 runs of 10 s per path (about 40 minutes)
#   bench/run.sh --large    also the 10,000,000-call point of the scaling curve
#   bench/run.sh --smoke    tiny data, 1 s per path: checks that every path answers correctly (CI runs this)
# Data and databases are cached in bench/work/ between runs.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

MODE=full
for arg in "$@"; do
  case "$arg" in
    --smoke) MODE=smoke ;;
    --large) MODE=large ;;
    *) die "unknown argument $arg" ;;
  esac
done
if [ "$MODE" = smoke ]; then
  CALLS=2000; ACCOUNTS=3; RUNS=1; SECONDS_PER_RUN=1; WARMUP=1; SCALES="1000"
else
  CALLS=1000000; ACCOUNTS=100; RUNS=3; SECONDS_PER_RUN=10; WARMUP=20; SCALES="10000 100000 1000000"
  [ "$MODE" = large ] && SCALES="$SCALES 10000000"
fi
WORK="$ROOT/bench/work/${MODE/large/full}" # --large adds its point to the full run's cached data
RESULTS="$ROOT/bench/results"
REPORT="$RESULTS/latest.md"
[ "$MODE" = smoke ] && REPORT="$WORK/smoke.md"
GW_PORT=5181; CEIL_PORT=5191
mkdir -p "$WORK" "$RESULTS"
trap stop_all EXIT

[ "$MODE" = smoke ] || command -v wrk >/dev/null || { log "installing wrk"; sudo=$(command -v sudo || true); $sudo apt-get install -y -qq wrk >/dev/null; }
command -v curl >/dev/null || die "curl is needed"

build_release

# --- data: generated once per size, loaded through the gateway's own import command --------------------------
# load_dataset NAME CALLS ACCOUNTS [csv]: fills $WORK/NAME.db and $WORK/NAME.keys (one "account key" line each);
# with "csv", also $WORK/NAME.csv, every call with its account, for loading the same data into peers.
load_dataset() {
  local name=$1 calls=$2 accounts=$3 csv=${4:-}
  DB="$WORK/$name.db"
  [ -f "$WORK/$name.done" ] && return
  rm -rf "$WORK/$name" "$DB" "$DB-wal" "$DB-shm" "$WORK/$name.keys"
  log "generating $calls calls over $accounts accounts"
  dotnet "$DATA_DLL" --calls "$calls" --accounts "$accounts" --out "$WORK/$name" ${csv:+--csv "$WORK/$name.csv"} >/dev/null
  local start=$(date +%s.%N)
  for file in "$WORK/$name"/account-*.ndjson; do
    local created account key
    created=$(admin accounts create --name "$(basename "$file" .ndjson)" --json | tail -n 1)
    account=$(sed -E 's/.*"account_id":([0-9]+).*/\1/' <<<"$created")
    key=$(sed -E 's/.*"secret_key":"([^"]+)".*/\1/' <<<"$created")
    admin import --account "$account" --file "$file" >/dev/null || die "import of $file"
    echo "$account $key" >>"$WORK/$name.keys"
  done
  local elapsed; elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
  echo "$calls $elapsed $BUILT_FROM $(date -u +%F)" >"$WORK/$name.load"
  rm -rf "$WORK/$name"
  touch "$WORK/$name.done"
}

load_dataset main "$CALLS" "$ACCOUNTS" csv
read -r BIG_ACCOUNT KEY < <(head -n 1 "$WORK/main.keys")
read -r _ LOAD_SECONDS < "$WORK/main.load"
HEADER="account-secret-key: $KEY"
BASE="http://127.0.0.1:$GW_PORT"
LIST="$BASE/api/gateway/v1/call/list"
EXPORT="$BASE/api/gateway/v1/call/export"

# Repeated pages come from the page cache; "Cache-Control: no-cache" makes every request read the database, as a
# first visit or a cursor walk does.
start_gateway "$DB" "$GW_PORT" "$WORK/gateway.log"
FRESH="Cache-Control: no-cache"
curl -fs "$LIST?per_page=10" -H "$HEADER" >"$WORK/page1.json" || die "page 1"
start_ceiling "$WORK/page1.json" "$CEIL_PORT" "$WORK/ceiling.log"
CEILING="http://127.0.0.1:$CEIL_PORT/fixed"

if [ "$MODE" != smoke ]; then
  log "warming up ($WARMUP s each)"
  wrk -t2 -c32 -d"${WARMUP}s" "$CEILING" >/dev/null
  wrk -t2 -c32 -d"${WARMUP}s" -H "$HEADER" "$LIST?per_page=10" >/dev/null
  wrk -t2 -c32 -d"${WARMUP}s" -H "$HEADER" -H "$FRESH" "$LIST?per_page=10" >/dev/null
fi

# --- the paths ------------------------------------------------------------------------------------------------
ROWS=(); STATS_ROWS=()
declare -A RPS P99
# measure NAME EXPECTED-STATUS EXPECTED-BODY-PATTERN URL [HEADER...]: a row of the table named by $TABLE (ROWS).
measure() {
  local -n table=${TABLE:-ROWS}
  local name=$1 status=$2 pattern=$3 url=$4
  shift 4
  local args=(-t2 -c32 -d"${SECONDS_PER_RUN}s") curl_headers=() header
  for header in "$@"; do args+=(-H "$header"); curl_headers+=(-H "$header"); done
  local body code
  body=$(curl -s -w '\n%{http_code}' "${curl_headers[@]}" "$url")
  code=$(tail -n 1 <<<"$body")
  if [ "$code" = "$status" ] && grep -Eq -- "$pattern" <<<"$body"; then check "$name answers $status" 0; else check "$name answers $status" 1 "got $code: $(head -c 300 <<<"$body")"; return; fi
  [ "$MODE" = smoke ] && return # the smoke checks answers, not speed
  wrk "${args[@]}" "$url" >/dev/null # a short warm-up of this path
  local rps=() p50=() p99=() ratio=()
  for _ in $(seq "$RUNS"); do
    local c g
    read -r c _ _ _ < <(wrk_once -t2 -c32 -d"${SECONDS_PER_RUN}s" "$CEILING")
    read -r g50 g99 gnon grps < <(wrk_once "${args[@]}" "$url" | awk '{print $2, $3, $4, $1}')
    [ "$gnon" = 0 ] || [ "$status" != 200 ] || die "$name: $gnon answers were not 2xx"
    rps+=("$grps"); p50+=("$g50"); p99+=("$g99")
    ratio+=("$(awk -v g="$grps" -v c="$c" 'BEGIN { printf "%.2f", g / c }')")
  done
  RPS[$name]=$(printf '%s\n' "${rps[@]}" | median); P99[$name]=$(printf '%s\n' "${p99[@]}" | median)
  local shown="" ; for header in "$@"; do shown+=" -H '${header/$KEY/KEY}'"; done
  local command="wrk -t2 -c32 -d${SECONDS_PER_RUN}s --latency$shown '${url/$BASE/GATEWAY}'"
  table+=("| $name | $(printf '%s\n' "${rps[@]}" | median | xargs printf '%.0f') | $(printf '%s\n' "${p50[@]}" | median) | $(printf '%s\n' "${p99[@]}" | median) | $(printf '%s\n' "${ratio[@]}" | median)× | \`$command\` |")
}

DEPTH_PAGE=$(( CALLS * 3 / 10 / 10 / 3 )); [ "$MODE" != smoke ] && DEPTH_PAGE=10000
DEEP_CURSOR=$(curl -fs "$LIST?per_page=10&page=$DEPTH_PAGE" -H "$HEADER" | sed -E 's/.*"next_cursor":"([^"]+)".*/\1/')
SOME_CALL=$(sed -E 's/.*"call_id":"(c[0-9]+)".*/\1/' "$WORK/page1.json" | head -n 1)

measure "ceiling: fixed JSON, same size as a 10-call page" 200 '"status":"success"' "$CEILING"
[ "$MODE" = smoke ] || ROWS[-1]=$(sed -E 's/\| [0-9.]+× \|/| 1.00× |/' <<<"${ROWS[-1]}")
FILTER="per_page=10&status=failed&agent_id=3&started_after=2025-11-01&started_before=2026-05-01"
measure "list page 1, per_page=10, repeated (page cache)" 200 '"per_page":10,"page":1,"has_next":true' "$LIST?per_page=10" "$HEADER"
measure "list page 1, per_page=100, repeated (page cache)" 200 '"per_page":100,"page":1' "$LIST?per_page=100" "$HEADER"
measure "list filtered, repeated (page cache)" 200 '"status":"success"' "$LIST?$FILTER" "$HEADER"
measure "list page 1, per_page=10, read each time" 200 '"per_page":10,"page":1,"has_next":true' "$LIST?per_page=10" "$HEADER" "$FRESH"
measure "list page 1, per_page=100, read each time" 200 '"per_page":100,"page":1' "$LIST?per_page=100" "$HEADER" "$FRESH"
measure "list page=$DEPTH_PAGE (offset), read each time" 200 "\"page\":$DEPTH_PAGE" "$LIST?per_page=10&page=$DEPTH_PAGE" "$HEADER" "$FRESH"
measure "list cursor page at the same depth, read each time" 200 "\"page\":$((DEPTH_PAGE + 1))" "$LIST?cursor=$DEEP_CURSOR" "$HEADER" "$FRESH"
measure "list filtered: status + agent + 6 months, read each time" 200 '"status":"success"' "$LIST?$FILTER" "$HEADER" "$FRESH"
measure "list include_total=true, read each time" 200 '"total":' "$LIST?per_page=10&include_total=true" "$HEADER" "$FRESH"
measure "call details" 200 "\"call_id\":\"$SOME_CALL\"" "$BASE/api/gateway/v1/call/$SOME_CALL" "$HEADER"
measure "unauthenticated request (401)" 401 'Unauthorized. Missing or invalid account-secret-key' "$LIST?per_page=10"

# --- statistics: the big account's own last 30 days and whole history (the data ends where the generator does) ------
STATS="$BASE/api/gateway/v1/call/stats"
stats_ranges "$LIST" "$KEY"
SOME_TO=$(sed -E 's/.*"to":"\+([0-9]+)".*/\1/' "$WORK/page1.json")
# Beyond the paths both reports measure: months, a zone of half hours and a filter no rollup keeps.
STATS_PATHS+=(
  "stats: two years by month|group_by=month&$STATS_ALL|\"month\":\"${LAST_DAY:0:7}\",\"calls\":[0-9]+.*\"group_by\":\\[\"month\"\\]"
  "stats: last 30 days by day, Asia/Kolkata (from the calls)|group_by=day&$STATS_MONTH_KOLKATA|\"calls\":[0-9]+,\"by_status\".*\"tz\":\"Asia/Kolkata\",\"group_by\":\\[\"day\"\\]"
  "stats: two years by day, to filter (from the calls)|group_by=day&$STATS_ALL&to=%2B$SOME_TO|$DAY_SHAPE"
)
TABLE=STATS_ROWS
for entry in "${STATS_PATHS[@]}"; do
  IFS='|' read -r name query pattern <<<"$entry"
  measure "$name, read each time" 200 "$pattern" "$STATS?$query" "$HEADER" "$FRESH"
done
IFS='|' read -r name query pattern <<<"${STATS_PATHS[0]}"
measure "$name, repeated (kept answer)" 200 "$pattern" "$STATS?$query" "$HEADER"
TABLE=ROWS
# The shape beyond the pattern: a time group for every day of the range, zeros included.
groups=$(curl -fs -H "$HEADER" "$STATS?group_by=day&$STATS_MONTH" | count_of '"day":"')
check "stats: last 30 days by day has 30 groups" "$([ "$groups" = 30 ]; echo $?)" "$groups groups"
groups=$(curl -fs -H "$HEADER" "$STATS?group_by=day&$STATS_ALL" | count_of '"day":"')
check "stats: two years by day has a group for each of the $ALL_DAYS days" "$([ "$groups" = "$ALL_DAYS" ]; echo $?)" "$groups groups"
# One connection: p50 of every statistics path and of the list page it is compared with, in the same run.
declare -A ONE_P50
if [ "$MODE" != smoke ]; then
  ONE_P50[list]=$(p50_one "$LIST?per_page=10" "$HEADER" "$FRESH")
  for entry in "${STATS_PATHS[@]}"; do
    IFS='|' read -r name query _ <<<"$entry"
    ONE_P50[$name]=$(p50_one "$STATS?$query" "$HEADER" "$FRESH")
  done
fi

GATEWAY_RSS_MB=$(awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$GATEWAY_PID/status")
stop_all

# --- cold start: process start to the first answered list request ---------------------------------------------
cold=()
for _ in $(seq "$RUNS"); do
  start=$(date +%s%N)
  Storage__ConnectionString="Data Source=$DB" dotnet "$GATEWAY_DLL" --urls "http://127.0.0.1:$GW_PORT" >"$WORK/cold.log" 2>&1 &
  pid=$!
  deadline=$(( $(date +%s) + 60 ))
  until curl -fs -o /dev/null "$LIST?per_page=10" -H "$HEADER"; do
    [ "$(date +%s)" -lt "$deadline" ] || die "a cold start did not answer within 60 s"
    sleep 0.005
  done
  cold+=("$(( ($(date +%s%N) - start) / 1000000 ))")
  check "a cold start answers the list" 0 ""
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
COLD_MS=$(printf '%s\n' "${cold[@]}" | median)

# --- scaling: one account of N calls, every path at one connection, read each time ------------------------------
# Per size: the import's time, the file's bytes per call, the p50 of page 1, of a cursor page halfway down the
# account, of the filtered list, of a call's details and of its statistics over the whole history, the export of the
# whole account (curl, NDJSON), and the gateway's peak RSS; then each path against the 100,000-call account.
SCALE_ROWS=(); SCALE_RATIO_ROWS=()
declare -A RPS P99 AT_100K
for n in $SCALES; do
  load_dataset "scale-$n" "$n" 1
  read -r _ SKEY < "$WORK/scale-$n.keys"
  read -r _ import_s import_built < "$WORK/scale-$n.load"
  bytes=$(( $(stat -c %s "$DB") + $(stat -c %s "$DB-wal" 2>/dev/null || echo 0) ))
  start_gateway "$DB" "$GW_PORT" "$WORK/scale.log"
  SH="account-secret-key: $SKEY"
  mid=$(( n / 20 ))
  cursor=$(curl -fs "$LIST?per_page=10&page=$mid" -H "$SH" | sed -E 's/.*"next_cursor":"([^"]+)".*/\1/')
  if curl -fs "$LIST?cursor=$cursor" -H "$SH" | grep -q "\"page\":$((mid + 1))"; then check "scaling at $n calls: the cursor page answers" 0 ""; else check "scaling at $n calls: the cursor page answers" 1 "no page $((mid + 1))"; fi
  call=$(curl -fs "$LIST?per_page=1" -H "$SH" | sed -E 's/.*"call_id":"(c[0-9]+)".*/\1/')
  if curl -fs "$BASE/api/gateway/v1/call/$call" -H "$SH" | grep -q "\"call_id\":\"$call\""; then check "scaling at $n calls: details answer" 0 ""; else check "scaling at $n calls: details answer" 1 "no $call"; fi
  stats_ranges "$LIST" "$SKEY"
  by_day="$STATS?group_by=day&$STATS_ALL"; by_agent="$STATS?group_by=agent_id&$STATS_ALL"
  groups=$(curl -fs "$by_day" -H "$SH" | count_of "\"day\":\"[0-9-]+\",\"calls\":[0-9]+")
  check "scaling at $n calls: stats by day over the whole range answers" "$([ "$groups" = "$ALL_DAYS" ]; echo $?)" "$groups day groups"
  if curl -fs "$by_agent" -H "$SH" | grep -Eq '"agent_id":[0-9]+,"calls":[0-9]+'; then check "scaling at $n calls: stats by agent answers" 0 ""; else check "scaling at $n calls: stats by agent answers" 1 "no agent group"; fi
  exported=$(curl -fs "$EXPORT" -H "$SH" | wc -l)
  check "scaling at $n calls: the export holds every call" "$([ "$exported" = "$n" ]; echo $?)" "$exported lines"
  if [ "$MODE" = smoke ]; then stop_all; continue; fi
  wrk -t1 -c1 -d"${WARMUP}s" -H "$SH" -H "$FRESH" "$LIST?per_page=10" >/dev/null
  declare -A at=()
  at[page1]=$(p50_one "$LIST?per_page=10" "$SH" "$FRESH")
  at[cursor]=$(p50_one "$LIST?cursor=$cursor" "$SH" "$FRESH")
  at[filtered]=$(p50_one "$LIST?$FILTER" "$SH" "$FRESH")
  at[details]=$(p50_one "$BASE/api/gateway/v1/call/$call" "$SH")
  at[day]=$(p50_one "$by_day" "$SH" "$FRESH"); at[agent]=$(p50_one "$by_agent" "$SH" "$FRESH")
  seconds=()
  for _ in $(seq "$RUNS"); do
    seconds+=("$(curl -fsS -o /dev/null -w '%{time_total}' "$EXPORT" -H "$SH")")
  done
  at[export]=$(awk -v n="$n" -v s="$(printf '%s\n' "${seconds[@]}" | median)" 'BEGIN { printf "%.0f", n / s }')
  peak=$(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$GATEWAY_PID/status")
  SCALE_ROWS+=("| $n | $import_s ($(awk -v n="$n" -v s="$import_s" 'BEGIN { printf "%.0f", n / s }')/s; ${import_built:-an older build}) | $(( bytes / n )) | ${at[page1]} | ${at[cursor]} (page $((mid + 1))) | ${at[filtered]} | ${at[details]} | ${at[day]} | ${at[agent]} | ${at[export]} | $peak |")
  if [ "$n" = 100000 ]; then for k in "${!at[@]}"; do AT_100K[$k]=${at[$k]}; done; fi
  if [ "$n" -gt 100000 ] && [ ${#AT_100K[@]} -gt 0 ]; then
    per() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
    SCALE_RATIO_ROWS+=("| $n | $(per "${at[page1]}" "${AT_100K[page1]}")× | $(per "${at[cursor]}" "${AT_100K[cursor]}")× | $(per "${at[filtered]}" "${AT_100K[filtered]}")× | $(per "${at[details]}" "${AT_100K[details]}")× | $(per "${at[day]}" "${AT_100K[day]}")× | $(per "${at[agent]}" "${AT_100K[agent]}")× | $(per "${AT_100K[export]}" "${at[export]}")× |")
  fi
  stop_all
done

# --- the write path: make-call and its three reports, every commit synced (synchronous=FULL) --------------------
DB="$WORK/writes.db"
rm -f "$DB" "$DB-wal" "$DB-shm"
WRITE_KEY=$(admin accounts create --name writes --json | tail -n 1 | sed -E 's/.*"secret_key":"([^"]+)".*/\1/')
INGEST_KEY=$(admin keys create --account 1 --scopes ingest --json | tail -n 1 | sed -E 's/.*"secret_key":"([^"]+)".*/\1/')
admin devices add --account 1 --serial WRITE-BENCH --name bench >/dev/null
MakeCall__CallsPerSecond=1000000 MakeCall__Burst=1000000 start_gateway "$DB" "$GW_PORT" "$WORK/writes.log"
curl -fs -o /dev/null -H "account-secret-key: $INGEST_KEY" -H 'Content-Type: application/json' \
  -d '{"serial_no":"WRITE-BENCH"}' "$BASE/api/gateway/v1/salprebox/heartbeat" || die "heartbeat"
WRITE_ARGS=(--url "$BASE" --write-key "$WRITE_KEY" --ingest-key "$INGEST_KEY" --serial WRITE-BENCH --workers 16)
if [ "$MODE" = smoke ]; then
  if dotnet "$WRITES_DLL" "${WRITE_ARGS[@]}" --seconds 1 >/dev/null; then check "make-call and its reports answer under load" 0 ""; else check "make-call and its reports answer under load" 1 "errors"; fi
  WRITE_ROW=""
else
  dotnet "$WRITES_DLL" "${WRITE_ARGS[@]}" --seconds "$WARMUP" >/dev/null || die "write path warm-up"
  wcps=(); wrps=(); w50=(); w99=()
  for _ in $(seq "$RUNS"); do
    read -r a b c d _ < <(dotnet "$WRITES_DLL" "${WRITE_ARGS[@]}" --seconds "$SECONDS_PER_RUN") || die "write path"
    wcps+=("$a"); wrps+=("$b"); w50+=("$c"); w99+=("$d")
  done
  WRITE_ROW="| make-call + ringing + in-progress + completed, 16 clients | $(printf '%s\n' "${wcps[@]}" | median) calls/s ($(printf '%s\n' "${wrps[@]}" | median) requests/s) | $(printf '%s\n' "${w50[@]}" | median) | $(printf '%s\n' "${w99[@]}" | median) | \`dotnet bench/Salpre.Bench.Writes/bin/Release/net10.0/Salpre.Bench.Writes.dll --url GATEWAY --write-key KEY --ingest-key KEY --serial WRITE-BENCH --workers 16 --seconds $SECONDS_PER_RUN\` |"
fi
stop_all

# --- peers: Platformatic DB over PostgreSQL, on the same calls -------------------------------------------------
PEER_ROWS=()
if [ "$MODE" != smoke ]; then
  log "peers: Platformatic DB on PostgreSQL (the same $CALLS calls)"
  bench/peers/platformatic/run.sh --csv "$WORK/main.csv" --account "$BIG_ACCOUNT" --out "$WORK/platformatic.json" \
    --duration "$SECONDS_PER_RUN" --runs "$RUNS" >/dev/null || die "the Platformatic DB benchmark"
  while read -r query prps pp50 pp99 url; do
    case "$query" in
      page1) ours="list page 1, per_page=10"; label="page 1 of the big account" ;;
      offset100k) ours="list page=$DEPTH_PAGE (offset)"; label="offset 100,000" ;;
      status_agent) ours="list filtered: status + agent + 6 months"; label="status + agent filter" ;;
    esac
    cached=${RPS["$ours, repeated (page cache)"]:-${RPS["list filtered, repeated (page cache)"]}}
    [ "$query" = offset100k ] && cached=""
    fresh=${RPS["$ours, read each time"]}
    PEER_ROWS+=("| $label | $(printf '%.0f' "$prps") | $pp50 | $pp99 | $(printf '%.0f' "$fresh") ($(awk -v a="$fresh" -v b="$prps" 'BEGIN { printf "%.1f", a / b }')×) | ${cached:+$(printf '%.0f' "$cached") ($(awk -v a="$cached" -v b="$prps" 'BEGIN { printf "%.1f", a / b }')×)} | \`$url\` |")
  done < <(node -e 'const r = require(process.argv[1]); for (const [k, v] of Object.entries(r.queries)) console.log(k, v.rps, v.p50_ms, v.p99_ms, v.url);' "$WORK/platformatic.json")
fi

# --- the statistics' query plans: SQLite keeps no statistics for its planner, so the tests' plans are the bench's ---
stats_plans "$WORK/plans" SqliteStatsPlanTests

# --- the report -----------------------------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "n/a"; else printf "%.2f", a / b }'; }
{
  echo "# Salpre Gateway benchmark"
  echo
  echo "Made by \`bench/run.sh${*:+ $*}\` on $(date -u '+%Y-%m-%d %H:%M UTC'), commit \`$BUILT_FROM\`."
  echo
  echo "## Machine"
  echo
  echo "- CPU: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo); memory $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "- $(uname -sr); .NET SDK $(dotnet --version); $(wrk --version 2>&1 | head -n 1 | cut -d' ' -f1-2)"
  echo "- load generator and servers share the machine, on loopback"
  echo
  echo "## Throughput and latency"
  echo
  echo "Data: $CALLS calls over $ACCOUNTS accounts (the big account holds 30%), loaded through \`Salpre.Gateway import\`"
  echo "in ${LOAD_SECONDS} s. Each figure is the median of $RUNS runs of ${SECONDS_PER_RUN} s at 32 connections; \"× ceiling\""
  echo "is the median of the ratios to the fixed-JSON ceiling measured right before each run."
  echo
  echo "| path | req/s | p50 ms | p99 ms | × ceiling | command |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "- \"repeated (page cache)\": the same page asked again and again, as a dashboard does, served from the page"
  echo "  cache after one version read; \"read each time\": the same request with \`Cache-Control: no-cache\`, so every"
  echo "  request reads and renders its page, as a first visit or a cursor walk does."
  echo "- gateway RSS after the load above: ${GATEWAY_RSS_MB} MB"
  echo "- cold start, process start to the first answered list request: ${COLD_MS} ms (median of $RUNS)"
  echo
  echo "## Statistics"
  echo
  echo "\`GET /call/stats\` on the big account, its ranges taken from its own calls (the data ends where the generator"
  echo "does): the last 30 days, \`$STATS_MONTH\`, and its whole history of $ALL_DAYS days, \`$STATS_ALL\`. Measured as"
  echo "above (32 connections, \"× ceiling\" paired with the ceiling); every row but the last counts afresh"
  echo "(\`Cache-Control: no-cache\`), the last is the kept answer a dashboard polling the same range gets."
  echo
  echo "| path | req/s | p50 ms | p99 ms | × ceiling | command |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${STATS_ROWS[@]}"
  echo
  if [ "$MODE" != smoke ]; then
    list_fresh="list page 1, per_page=10, read each time"; month="stats: last 30 days by day"
    echo "One connection (\`wrk -t1 -c1\`, median of $RUNS runs of ${SECONDS_PER_RUN} s, read each time), next to list page 1 read each"
    echo "time in the same run:"
    echo
    echo "| path | p50 ms, one connection | × list page 1, read each time |"
    echo "|---|---|---|"
    echo "| $list_fresh | ${ONE_P50[list]} | 1.00× |"
    for entry in "${STATS_PATHS[@]}"; do
      IFS='|' read -r name _ _ <<<"$entry"
      echo "| $name | ${ONE_P50[$name]} | $(ratio "${ONE_P50[$name]}" "${ONE_P50[list]}")× |"
    done
    echo
    echo "- last 30 days by day against list page 1, both read each time: $(ratio "${RPS[$list_fresh]}" "${RPS["$month, read each time"]}")× the"
    echo "  time at 32 connections (ratio of req/s), $(ratio "${ONE_P50[$month]}" "${ONE_P50[list]}")× at one connection (ratio of p50); the target is 3× or less."
    echo "- two years by day and by agent at one connection: ${ONE_P50["stats: two years by day"]} ms and ${ONE_P50["stats: two years by agent"]} ms"
    echo "  p50 (target: 25 ms or less at 300,000 calls; 10,000,000 calls in the Scaling section, target 250 ms)."
    echo
  fi
  if [ -n "${WRITE_ROW:-}" ]; then
    echo "## The write path"
    echo
    echo "Calls placed and carried to the end on a fresh SQLite file, each commit synced before it is acknowledged"
    echo "(WAL, \`synchronous=FULL\`); every make-call carries an idempotency key. Median of $RUNS runs of ${SECONDS_PER_RUN} s."
    echo
    echo "| path | throughput | make-call p50 ms | make-call p99 ms | command |"
    echo "|---|---|---|---|---|"
    echo "$WRITE_ROW"
    echo
  fi
  echo "## Scaling: one account, one connection"
  echo
  echo "One account of each size, loaded through \`Salpre.Gateway import\` (one process; the time and calls/s of the whole"
  echo "import, by the build that first loaded the cached data set), the SQLite file's bytes per call after it, then p50 latency in ms (\`wrk -t1 -c1\`, median of $RUNS runs of"
  echo "${SECONDS_PER_RUN} s, read from the database each time, \`Cache-Control: no-cache\`) of page 1, of a cursor page halfway down"
  echo "the account, of the filtered list (\`$FILTER\`), of a call's details, of the statistics over the whole history"
  echo "(two years) by day (\`tz=Europe/Istanbul\`) and by agent; the export of the whole account in calls/s"
  echo "(\`curl -o /dev/null GATEWAY/api/gateway/v1/call/export\`, NDJSON, median of $RUNS), and the gateway's peak RSS (VmHWM)."
  echo
  echo "| calls in the account | import s (calls/s) | bytes/call | page 1 | cursor page | filtered | details | stats by day | stats by agent | export calls/s | gateway peak RSS MB |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${SCALE_ROWS[@]}"
  if [ ${#SCALE_RATIO_ROWS[@]} -gt 0 ]; then
    echo
    echo "Each path against the same path in the 100,000-call account, measured in this run (time per request, or per"
    echo "exported call; the target is 1.3× or less):"
    echo
    echo "| calls in the account | page 1 | cursor page | filtered | details | stats by day | stats by agent | export |"
    echo "|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${SCALE_RATIO_ROWS[@]}"
  fi
  if [ ${#PEER_ROWS[@]} -gt 0 ]; then
    echo
    echo "## Next to Platformatic DB"
    echo
    echo "The same $CALLS calls in PostgreSQL 15 behind \`@platformatic/db\` 2.61.0's generated REST API"
    echo "(\`bench/peers/platformatic/run.sh\`: one Node process, an index on (account_id, started_at); same wrk settings,"
    echo "median of $RUNS runs). The gateway's figures are from the table above, on SQLite; its filter adds a six-month range."
    echo
    echo "| query | Platformatic req/s | p50 ms | p99 ms | gateway, read each time | gateway, repeated (page cache) | Platformatic URL |"
    echo "|---|---|---|---|---|---|---|"
    printf '%s\n' "${PEER_ROWS[@]}"
  fi
  echo
  echo "## Statistics query plans (SQLite)"
  echo
  echo "Each kind of statistics query as the gateway sends it, every part of it with its parameters and SQLite's"
  echo "\`EXPLAIN QUERY PLAN\`, written by the plan tests that assert them (\`tests/Salpre.Storage.Tests/Sqlite/SqliteStatsPlanTests.cs\`,"
  echo "for account 1 of a two-year history like this one's). The gateway runs no ANALYZE, so SQLite plans this file the"
  echo "same way: a rollup's primary key for whole UTC hours (or days, by agent), the calls' primary key or the list's index"
  echo "for the filter for the cut ends and what the rollups do not keep. The PostgreSQL plans are in \`stores.md\`."
  echo
  plans_markdown "$WORK/plans" sqlite
} >"$REPORT"

log "report: $REPORT"
echo "smoke: $CHECKS_PASSED passed, $CHECKS_FAILED failed"
[ "$CHECKS_FAILED" = 0 ]
