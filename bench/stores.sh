#!/usr/bin/env bash
# The same gateway on SQLite and on PostgreSQL, measured in one run: list reads and the write path, both gateways
# up at once and measured in turns, so each PostgreSQL figure has a SQLite figure taken moments before it.
#   bench/stores.sh           1,000,000 calls over 100 accounts; 3 runs of 10 s per path (about 30 minutes)
#   bench/stores.sh --smoke   tiny data, 1 s per path: every path answers on both stores
# The full run also measures Platformatic DB over a copy of the same calls on the same PostgreSQL server, third in each
# run of list page 1 and the filtered list.
# Writes bench/results/stores.md. PostgreSQL is a throwaway cluster from the machine's binaries.
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
if [ "$MODE" = smoke ]; then
  CALLS=2000; ACCOUNTS=3; RUNS=1; SECONDS_PER_RUN=1; WARMUP=1
else
  CALLS=1000000; ACCOUNTS=100; RUNS=3; SECONDS_PER_RUN=10; WARMUP=10
fi
WORK="$ROOT/bench/work/stores-$MODE"
REPORT="$ROOT/bench/results/stores.md"
[ "$MODE" = smoke ] && REPORT="$WORK/stores.md"
SQLITE_PORT=5183; PG_PORT=5184; PG_SERVER_PORT=55433
mkdir -p "$WORK"
trap 'stop_all; stop_postgres' EXIT
[ "$MODE" = smoke ] || command -v wrk >/dev/null || die "wrk is needed (apt-get install wrk)"

log "building (Release)"
dotnet build "$ROOT/Salpre.slnx" -c Release --nologo -v quiet >/dev/null || die "build"

# --- the same data in both stores, loaded through the product's own admin commands -------------------------------
# Loaded once per mode and kept in $WORK (the PostgreSQL cluster too); delete the folder to load again.
SQLITE_CONNECTION="Data Source=$WORK/calls.db"
on() { local provider=$1 connection=$2; shift 2; Storage__Provider="$provider" Storage__ConnectionString="$connection" dotnet "$GATEWAY_DLL" "$@"; }
secret_of() { tail -n 1 | sed -E 's/.*"secret_key":"([^"]+)".*/\1/'; }

# load PROVIDER CONNECTION: creates the accounts, imports every file; prints the first account's key and the seconds.
load() {
  local provider=$1 connection=$2 start key="" first
  on "$provider" "$connection" migrate >/dev/null || die "migrate on $provider"
  start=$(date +%s.%N)
  for file in "$WORK/data"/account-*.ndjson; do
    created=$(on "$provider" "$connection" accounts create --name "$(basename "$file" .ndjson)" --json | tail -n 1)
    first=$(secret_of <<<"$created"); key=${key:-$first}
    on "$provider" "$connection" import --account "$(sed -E 's/.*"account_id":([0-9]+).*/\1/' <<<"$created")" --file "$file" >/dev/null \
      || die "import of $file on $provider"
  done
  echo "$key $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')"
}

# Write-path accounts: one box each, connected by a heartbeat once the gateways run.
writes_keys() {
  local provider=$1 connection=$2 write ingest account
  write=$(on "$provider" "$connection" accounts create --name writes --json | tail -n 1)
  account=$(sed -E 's/.*"account_id":([0-9]+).*/\1/' <<<"$write")
  ingest=$(on "$provider" "$connection" keys create --account "$account" --scopes ingest --json | secret_of)
  on "$provider" "$connection" devices add --account "$account" --serial WRITE-BENCH --name bench >/dev/null
  echo "$(secret_of <<<"$write") $ingest"
}
if [ -f "$WORK/loaded" ]; then
  start_postgres "$WORK/pg" "$PG_SERVER_PORT" keep
  # Data kept from an earlier run meets this build's schema, as an operator's database meets a new release.
  on postgres "$PG_CONNECTION" migrate >/dev/null || die "migrate on postgres"
else
  log "generating $CALLS calls over $ACCOUNTS accounts"
  rm -rf "$WORK/data" "$WORK/calls.db" "$WORK/calls.db-wal" "$WORK/calls.db-shm"
  dotnet "$DATA_DLL" --calls "$CALLS" --accounts "$ACCOUNTS" --out "$WORK/data" >/dev/null
  start_postgres "$WORK/pg" "$PG_SERVER_PORT"
  log "loading SQLite"; read -r SQLITE_KEY SQLITE_LOAD < <(load sqlite "$SQLITE_CONNECTION")
  log "loading PostgreSQL"; read -r PG_KEY PG_LOAD < <(load postgres "$PG_CONNECTION")
  "${PG_AS[@]}" "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$PG_SERVER_PORT" -U postgres -d salpre -c "VACUUM ANALYZE" || die "VACUUM ANALYZE"
  read -r SQLITE_WRITE SQLITE_INGEST < <(writes_keys sqlite "$SQLITE_CONNECTION")
  read -r PG_WRITE PG_INGEST < <(writes_keys postgres "$PG_CONNECTION")
  echo "$SQLITE_KEY $SQLITE_LOAD $PG_KEY $PG_LOAD $SQLITE_WRITE $SQLITE_INGEST $PG_WRITE $PG_INGEST" >"$WORK/loaded"
  rm -rf "$WORK/data"
fi
read -r SQLITE_KEY SQLITE_LOAD PG_KEY PG_LOAD SQLITE_WRITE SQLITE_INGEST PG_WRITE PG_INGEST <"$WORK/loaded"

# --- the peer: Platformatic DB over a copy of the same calls, in a database of its own on the same server -----------
PEER_PORT=3043
psql_on() { local database=$1; shift; "${PG_AS[@]}" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_SERVER_PORT" -U postgres -d "$database" "$@"; }
if [ "$MODE" != smoke ]; then
  source "$ROOT/bench/peers/platformatic/lib.sh"
  plt_install
  if [ ! -f "$WORK/peer-loaded" ]; then
    log "copying the calls into Platformatic DB's table (database peer)"
    psql_on postgres -c "DROP DATABASE IF EXISTS peer" -c "CREATE DATABASE peer"
    plt_schema | psql_on peer
    psql_on salpre -c "COPY (SELECT account_id, call_num, (ARRAY['initiated','ringing','in-progress','completed','busy','no-answer','failed','canceled'])[status + 1],
        from_addr, to_addr, agent_id, CASE direction WHEN 0 THEN 'outbound' ELSE 'inbound' END, to_timestamp(started_at), to_timestamp(ended_at),
        duration_sec FROM calls ORDER BY account_id, started_at, call_num) TO STDOUT" \
      | psql_on peer -c "COPY calls (account_id, call_num, status, from_addr, to_addr, agent_id, direction, started_at, ended_at, duration_sec) FROM STDIN" \
      || die "copying the calls for Platformatic DB"
    psql_on peer -c "$(plt_index)" -c "VACUUM ANALYZE calls" || die "the peer's index"
    touch "$WORK/peer-loaded"
  fi
  BIG_ACCOUNT=$(psql_on salpre -Atc "SELECT account_id FROM calls GROUP BY account_id ORDER BY count(*) DESC LIMIT 1")
  plt_config "postgres://postgres@127.0.0.1:$PG_SERVER_PORT/peer" "$PEER_PORT" >"$WORK/platformatic.json"
  NODE_ENV=production "$PLT_BIN" start -c "$WORK/platformatic.json" >"$WORK/platformatic.log" 2>&1 &
  PIDS+=("$!")
  wait_for "http://127.0.0.1:$PEER_PORT/calls?limit=1"
fi

MakeCall__CallsPerSecond=1000000 MakeCall__Burst=1000000 start_gateway_on sqlite "$SQLITE_CONNECTION" "$SQLITE_PORT" "$WORK/sqlite.log"
SQLITE_PID=$GATEWAY_PID
MakeCall__CallsPerSecond=1000000 MakeCall__Burst=1000000 start_gateway_on postgres "$PG_CONNECTION" "$PG_PORT" "$WORK/postgres.log"
PG_PID=$GATEWAY_PID

# --- reads: the same request to each gateway in turn --------------------------------------------------------------
FRESH="Cache-Control: no-cache"
ROWS=()
# measure NAME PATH-AND-QUERY EXTRA-HEADER...: each run measures SQLite, then PostgreSQL. With $PATTERN set, the
# answers must also match it (an extended regular expression). With $PEER set (KIND|PLATFORMATIC-QUERY|SQL-WHERE, full
# mode), Platformatic DB's answer to the same question is checked against PostgreSQL's and measured third in each run.
declare -A S_RPS P_RPS
PEER_ROWS=()
measure() {
  local name=$1 path=$2
  shift 2
  local s_rps=() p_rps=() s_p99=() p_p99=() ratio=() extra=() header
  for header in "$@"; do extra+=(-H "$header"); done
  for target in "$SQLITE_PORT $SQLITE_KEY" "$PG_PORT $PG_KEY"; do
    read -r port key <<<"$target"
    local body; body=$(curl -s -w '\n%{http_code}' -H "account-secret-key: $key" "${extra[@]}" "http://127.0.0.1:$port$path")
    if [ "$(tail -n 1 <<<"$body")" = 200 ] && grep -q '"status":"success"' <<<"$body" && grep -Eq -- "${PATTERN:-.}" <<<"$body"; then check "$name answers on port $port" 0 ""; else check "$name answers on port $port" 1 "$(head -c 300 <<<"$body")"; fi
  done
  [ "$MODE" = smoke ] && return
  for target in "$SQLITE_PORT $SQLITE_KEY" "$PG_PORT $PG_KEY"; do
    read -r port key <<<"$target"
    wrk -t2 -c32 -d"${WARMUP}s" -H "account-secret-key: $key" "${extra[@]}" "http://127.0.0.1:$port$path" >/dev/null
  done
  local kind="" peer_url="" peer_rps=() peer_p99=() peer_ratio=()
  if [ -n "${PEER:-}" ]; then
    local peer_query peer_where
    IFS='|' read -r kind peer_query peer_where <<<"$PEER"
    peer_query="where.accountId.eq=ACCOUNT&${peer_query:+$peer_query&}orderby.startedAt=desc&limit=10"
    peer_url="http://127.0.0.1:$PEER_PORT/calls?${peer_query/ACCOUNT/$BIG_ACCOUNT}"
    psql_on peer -Atc "SELECT extract(epoch FROM started_at)::bigint FROM calls WHERE account_id = $BIG_ACCOUNT $peer_where ORDER BY started_at DESC LIMIT 10" >"$WORK/peer-expected"
    node "$PLT_HERE/verify.mjs" "$peer_url" "$BIG_ACCOUNT" "$kind" "$WORK/peer-expected" >&2 || die "$name: Platformatic DB's answer differs from PostgreSQL's"
    local ours theirs
    ours=$(curl -fs -H "account-secret-key: $PG_KEY" "http://127.0.0.1:$PG_PORT$path" | grep -oE '"started_at":"[^"]+"' | head -n 1 | cut -d'"' -f4)
    theirs=$(head -n 1 "$WORK/peer-expected")
    [ -n "$ours" ] && [ "$(date -u -d "$ours" +%s)" = "$theirs" ] || die "$name: the gateway's first call and Platformatic DB's differ ($ours, $theirs)"
    wrk -t2 -c32 -d"${WARMUP}s" "$peer_url" >/dev/null
  fi
  for _ in $(seq "$RUNS"); do
    local s p s99 p99 snon pnon
    read -r s _ s99 snon < <(wrk_once -t2 -c32 -d"${SECONDS_PER_RUN}s" -H "account-secret-key: $SQLITE_KEY" "${extra[@]}" "http://127.0.0.1:$SQLITE_PORT$path")
    read -r p _ p99 pnon < <(wrk_once -t2 -c32 -d"${SECONDS_PER_RUN}s" -H "account-secret-key: $PG_KEY" "${extra[@]}" "http://127.0.0.1:$PG_PORT$path")
    [ "$snon" = 0 ] && [ "$pnon" = 0 ] || die "$name: answers that were not 2xx ($snon on SQLite, $pnon on PostgreSQL)"
    s_rps+=("$s"); p_rps+=("$p"); s_p99+=("$s99"); p_p99+=("$p99")
    ratio+=("$(awk -v a="$p" -v b="$s" 'BEGIN { printf "%.2f", a / b }')")
    if [ -n "$peer_url" ]; then
      local t t99 tnon
      read -r t _ t99 tnon < <(wrk_once -t2 -c32 -d"${SECONDS_PER_RUN}s" "$peer_url")
      [ "$tnon" = 0 ] || die "$name: $tnon answers of Platformatic DB were not 2xx"
      peer_rps+=("$t"); peer_p99+=("$t99"); peer_ratio+=("$(awk -v a="$p" -v b="$t" 'BEGIN { printf "%.2f", a / b }')")
    fi
  done
  if [ -n "$peer_url" ]; then
    PEER_ROWS+=("| $name | $(printf '%s\n' "${p_rps[@]}" | median | xargs printf '%.0f') | $(printf '%s\n' "${p_p99[@]}" | median) | $(printf '%s\n' "${peer_rps[@]}" | median | xargs printf '%.0f') | $(printf '%s\n' "${peer_p99[@]}" | median) | $(printf '%s\n' "${peer_ratio[@]}" | median)× | \`/calls?${peer_query/ACCOUNT/A}\` |")
  fi
  S_RPS[$name]=$(printf '%s\n' "${s_rps[@]}" | median); P_RPS[$name]=$(printf '%s\n' "${p_rps[@]}" | median)
  ROWS+=("| $name | $(printf '%s\n' "${s_rps[@]}" | median | xargs printf '%.0f') | $(printf '%s\n' "${s_p99[@]}" | median) | $(printf '%s\n' "${p_rps[@]}" | median | xargs printf '%.0f') | $(printf '%s\n' "${p_p99[@]}" | median) | $(printf '%s\n' "${ratio[@]}" | median)× | \`$path\`$(for header in "$@"; do printf ' + `%s`' "$header"; done) |")
}

LIST=/api/gateway/v1/call/list
DEPTH_PAGE=10000; [ "$MODE" = smoke ] && DEPTH_PAGE=10
FILTER="per_page=10&status=failed&agent_id=3&started_after=2025-11-01&started_before=2026-05-01"
cursor_on() { curl -fs -H "account-secret-key: $2" "http://127.0.0.1:$1$LIST?per_page=10&page=$DEPTH_PAGE" | sed -E 's/.*"next_cursor":"([^"]+)".*/\1/'; }
SQLITE_CURSOR=$(cursor_on "$SQLITE_PORT" "$SQLITE_KEY"); PG_CURSOR=$(cursor_on "$PG_PORT" "$PG_KEY")
measure "list page 1, per_page=10, repeated (page cache)" "$LIST?per_page=10"
PEER="page1||" measure "list page 1, per_page=10, read each time" "$LIST?per_page=10" "$FRESH"
measure "list page 1, per_page=100, read each time" "$LIST?per_page=100" "$FRESH"
PEER="status_agent|where.status.eq=failed&where.agentId.eq=3&where.startedAt.gte=2025-11-01T00:00:00Z&where.startedAt.lt=2026-05-01T00:00:00Z|AND status = 'failed' AND agent_id = 3 AND started_at >= '2025-11-01Z' AND started_at < '2026-05-01Z'" \
  measure "list filtered: status + agent + 6 months, read each time" "$LIST?$FILTER" "$FRESH"
SOME_CALL=$(curl -fs -H "account-secret-key: $SQLITE_KEY" "http://127.0.0.1:$SQLITE_PORT$LIST?per_page=1" | sed -E 's/.*"call_id":"(c[0-9]+)".*/\1/')
measure "call details" "/api/gateway/v1/call/$SOME_CALL"
# Statistics of the big account over its own last 30 days and whole history (the same data in both stores), read
# afresh; then at one connection, next to list page 1 read each time, on each store.
STATS=/api/gateway/v1/call/stats
stats_ranges "http://127.0.0.1:$SQLITE_PORT$LIST" "$SQLITE_KEY"
for entry in "${STATS_PATHS[@]}"; do
  IFS='|' read -r name query PATTERN <<<"$entry"
  measure "$name, read each time" "$STATS?$query" "$FRESH"
done
PATTERN=""
declare -A ONE_S ONE_P
if [ "$MODE" != smoke ]; then
  ONE_S[list]=$(p50_one "http://127.0.0.1:$SQLITE_PORT$LIST?per_page=10" "account-secret-key: $SQLITE_KEY" "$FRESH")
  ONE_P[list]=$(p50_one "http://127.0.0.1:$PG_PORT$LIST?per_page=10" "account-secret-key: $PG_KEY" "$FRESH")
  for entry in "${STATS_PATHS[@]}"; do
    IFS='|' read -r name query _ <<<"$entry"
    ONE_S[$name]=$(p50_one "http://127.0.0.1:$SQLITE_PORT$STATS?$query" "account-secret-key: $SQLITE_KEY" "$FRESH")
    ONE_P[$name]=$(p50_one "http://127.0.0.1:$PG_PORT$STATS?$query" "account-secret-key: $PG_KEY" "$FRESH")
  done
fi

# The cursor page: same depth, each gateway's own cursor (the cursor's tag is signed by its database's key).
CURSOR_ROWS=()
if [ -n "$SQLITE_CURSOR" ] && [ -n "$PG_CURSOR" ]; then check "cursor pages at depth $DEPTH_PAGE" 0 ""; else check "cursor pages at depth $DEPTH_PAGE" 1 "no cursor"; fi
if [ "$MODE" != smoke ]; then
  c_s=(); c_p=(); c_r=()
  for _ in $(seq "$RUNS"); do
    read -r s _ _ _ < <(wrk_once -t2 -c32 -d"${SECONDS_PER_RUN}s" -H "account-secret-key: $SQLITE_KEY" -H "$FRESH" "http://127.0.0.1:$SQLITE_PORT$LIST?cursor=$SQLITE_CURSOR")
    read -r p _ _ _ < <(wrk_once -t2 -c32 -d"${SECONDS_PER_RUN}s" -H "account-secret-key: $PG_KEY" -H "$FRESH" "http://127.0.0.1:$PG_PORT$LIST?cursor=$PG_CURSOR")
    c_s+=("$s"); c_p+=("$p"); c_r+=("$(awk -v a="$p" -v b="$s" 'BEGIN { printf "%.2f", a / b }')")
  done
  ROWS+=("| list cursor page at depth $DEPTH_PAGE, read each time | $(printf '%s\n' "${c_s[@]}" | median | xargs printf '%.0f') | | $(printf '%s\n' "${c_p[@]}" | median | xargs printf '%.0f') | | $(printf '%s\n' "${c_r[@]}" | median)× | \`$LIST?cursor=...\` + \`$FRESH\` |")
fi

# --- writes: make-call and its three reports, durable commits on both ------------------------------------------
WRITE_ROWS=()
# A box is connected while its last heartbeat is 2 minutes old at most: each box reports right before its run.
heartbeats() {
  for target in "$SQLITE_PORT $SQLITE_INGEST" "$PG_PORT $PG_INGEST"; do
    read -r port ingest <<<"$target"
    curl -fs -o /dev/null -H "account-secret-key: $ingest" -H 'Content-Type: application/json' -d '{"serial_no":"WRITE-BENCH"}' \
      "http://127.0.0.1:$port/api/gateway/v1/salprebox/heartbeat" || die "heartbeat on port $port"
  done
}
write_run() { heartbeats; dotnet "$WRITES_DLL" --url "http://127.0.0.1:$1" --write-key "$2" --ingest-key "$3" --serial WRITE-BENCH --workers 16 --seconds "$4"; }
if [ "$MODE" = smoke ]; then
  write_run "$SQLITE_PORT" "$SQLITE_WRITE" "$SQLITE_INGEST" 1 >/dev/null && check "writes on SQLite" 0 "" || check "writes on SQLite" 1 "errors"
  write_run "$PG_PORT" "$PG_WRITE" "$PG_INGEST" 1 >/dev/null && check "writes on PostgreSQL" 0 "" || check "writes on PostgreSQL" 1 "errors"
else
  write_run "$SQLITE_PORT" "$SQLITE_WRITE" "$SQLITE_INGEST" "$WARMUP" >/dev/null || die "write warm-up on SQLite"
  write_run "$PG_PORT" "$PG_WRITE" "$PG_INGEST" "$WARMUP" >/dev/null || die "write warm-up on PostgreSQL"
  ws=(); wp=(); ws99=(); wp99=(); wr=()
  for _ in $(seq "$RUNS"); do
    read -r a _ _ a99 _ < <(write_run "$SQLITE_PORT" "$SQLITE_WRITE" "$SQLITE_INGEST" "$SECONDS_PER_RUN") || die "writes on SQLite"
    read -r b _ _ b99 _ < <(write_run "$PG_PORT" "$PG_WRITE" "$PG_INGEST" "$SECONDS_PER_RUN") || die "writes on PostgreSQL"
    ws+=("$a"); wp+=("$b"); ws99+=("$a99"); wp99+=("$b99"); wr+=("$(awk -v x="$b" -v y="$a" 'BEGIN { printf "%.2f", x / y }')")
  done
  WRITE_ROWS+=("| make-call + ringing + in-progress + completed, 16 clients (calls/s; make-call p99 ms) | $(printf '%s\n' "${ws[@]}" | median) | $(printf '%s\n' "${ws99[@]}" | median) | $(printf '%s\n' "${wp[@]}" | median) | $(printf '%s\n' "${wp99[@]}" | median) | $(printf '%s\n' "${wr[@]}" | median)× | \`Salpre.Bench.Writes --workers 16\` |")
fi
SQLITE_RSS=$(awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$SQLITE_PID/status")
PG_RSS=$(awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$PG_PID/status")
PG_VERSION=$("${PG_AS[@]}" "$PG_BIN/psql" -X -At -h 127.0.0.1 -p "$PG_SERVER_PORT" -U postgres -d salpre -c "SHOW server_version")
stop_all; stop_postgres

# The statistics' query plans on both stores, from the plan tests (PostgreSQL: a throwaway server of their own).
stats_plans "$WORK/plans" StatsPlanTests
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "n/a"; else printf "%.2f", a / b }'; }

{
  echo "# SQLite and PostgreSQL, one run"
  echo
  echo "Made by \`bench/stores.sh${*:+ $*}\` on $(date -u '+%Y-%m-%d %H:%M UTC'), commit \`$(git rev-parse --short HEAD)\`;"
  echo "$(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), wrk, gateways and PostgreSQL $PG_VERSION on one machine, loopback."
  echo
  echo "$CALLS calls over $ACCOUNTS accounts in each store, loaded through \`Salpre.Gateway import\`: SQLite in $SQLITE_LOAD s,"
  echo "PostgreSQL in $PG_LOAD s. PostgreSQL runs its defaults except \`shared_buffers = 512MB\` and \`max_connections = 300\`;"
  echo "every commit is durable on both (SQLite \`synchronous=FULL\`, PostgreSQL \`synchronous_commit=on\`, \`fsync=on\`)."
  echo "Both gateways run at once; each run measures SQLite then PostgreSQL ($RUNS runs of ${SECONDS_PER_RUN} s at 32 connections,"
  echo "medians; \"PG/SQLite\" is the median of the paired ratios)."
  echo
  echo "| path | SQLite req/s | SQLite p99 ms | PostgreSQL req/s | PostgreSQL p99 ms | PG/SQLite | request |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}" "${WRITE_ROWS[@]}"
  echo
  echo "Gateway RSS after the run: SQLite ${SQLITE_RSS} MB, PostgreSQL ${PG_RSS} MB."
  if [ ${#PEER_ROWS[@]} -gt 0 ]; then
    echo
    echo "## Next to Platformatic DB, in the same run"
    echo
    echo "\`@platformatic/db\` $PLT_VERSION's generated REST API (one Node process) over a copy of the same calls in a database of its own"
    echo "on the same PostgreSQL server (\`bench/peers/platformatic/\`: a table as a generic REST layer declares it, one index on"
    echo "(account_id, started_at)), account A the big account. Each run measures SQLite, PostgreSQL, then Platformatic DB,"
    echo "at the same wrk settings; \"PG/Platformatic\" is the median of the paired ratios. Its answers were checked first"
    echo "against PostgreSQL's own (\`verify.mjs\`). Targets (issue 15): page 1 2.5×, filtered 5×."
    echo
    echo "| path | gateway on PostgreSQL req/s | p99 ms | Platformatic DB req/s | p99 ms | PG/Platformatic | Platformatic request |"
    echo "|---|---|---|---|---|---|---|"
    printf '%s\n' "${PEER_ROWS[@]}"
  fi
  echo
  echo "## Statistics"
  echo
  echo "The \`stats:\` rows above count the big account's calls afresh (\`Cache-Control: no-cache\`) over its own last 30 days,"
  echo "\`$STATS_MONTH\`, and its whole history of $ALL_DAYS days, \`$STATS_ALL\`."
  if [ "$MODE" != smoke ]; then
    list_fresh="list page 1, per_page=10, read each time"; month="stats: last 30 days by day"
    echo "At one connection (\`wrk -t1 -c1\`, p50 ms, median of $RUNS runs of ${SECONDS_PER_RUN} s, read each time), each store next to"
    echo "its own list page 1 read each time in the same run:"
    echo
    echo "| path | SQLite p50 ms | × list page 1 | PostgreSQL p50 ms | × list page 1 |"
    echo "|---|---|---|---|---|"
    echo "| $list_fresh | ${ONE_S[list]} | 1.00× | ${ONE_P[list]} | 1.00× |"
    for entry in "${STATS_PATHS[@]}"; do
      IFS='|' read -r name _ _ <<<"$entry"
      echo "| $name | ${ONE_S[$name]} | $(ratio "${ONE_S[$name]}" "${ONE_S[list]}")× | ${ONE_P[$name]} | $(ratio "${ONE_P[$name]}" "${ONE_P[list]}")× |"
    done
    echo
    echo "Last 30 days by day against list page 1 at 32 connections (ratio of req/s, both read each time): SQLite"
    echo "$(ratio "${S_RPS[$list_fresh]}" "${S_RPS["$month, read each time"]}")×, PostgreSQL $(ratio "${P_RPS[$list_fresh]}" "${P_RPS["$month, read each time"]}")×. Targets (issue 12): 3× a list page or less for the last"
    echo "30 days; 25 ms p50 or less for two years by day and by agent at this size; the filtered row no slower than unfiltered."
  fi
  echo
  echo "## Statistics query plans"
  echo
  echo "Each kind of statistics query as the gateway sends it, every part with its parameters and plan, written by the"
  echo "plan tests that assert them (\`tests/Salpre.Storage.Tests/*/*StatsPlanTests.cs\`, account 1 of a two-year history)."
  echo "SQLite: \`EXPLAIN QUERY PLAN\`; the gateway runs no ANALYZE, so these are the plans of the bench's file too."
  echo "PostgreSQL: \`EXPLAIN\` over the test's analyzed history of 300,000 calls shaped like the bench's (30% in account 1,"
  echo "99 small accounts, working hours over two years); PostgreSQL plans by its statistics, so on the bench's own database"
  echo "it may choose an index scan where the test shows a bitmap scan of the same index range, or the reverse."
  echo
  plans_markdown "$WORK/plans" sqlite postgres
} >"$REPORT"
log "report: $REPORT"
echo "smoke: $CHECKS_PASSED passed, $CHECKS_FAILED failed"
[ "$CHECKS_FAILED" = 0 ]
