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

# build_release: the Release build every bench runs; BUILT_FROM names what it was built from, for the report (the
# commit, and "+ uncommitted changes" when the working tree differs from it).
build_release() {
  log "building (Release)"
  BUILT_FROM=$(git -C "$ROOT" rev-parse --short HEAD)
  git -C "$ROOT" diff --quiet HEAD -- src bench || BUILT_FROM="$BUILT_FROM + uncommitted changes"
  dotnet build "$ROOT/Salpre.slnx" -c Release --nologo -v quiet >/dev/null || die "build"
}

# wait_for URL [seconds]: polls until the URL answers 200.
wait_for() {
  local deadline=$(( $(date +%s) + ${2:-60} ))
  until curl -fs -o /dev/null "$1"; do
    [ "$(date +%s)" -lt "$deadline" ] || die "$1 did not answer"
    sleep 0.05
  done
}

# start_gateway DB PORT LOGFILE: starts the Release gateway on a SQLite file; sets GATEWAY_PID.
start_gateway() { start_gateway_on sqlite "Data Source=$1" "$2" "$3"; }

# start_gateway_on PROVIDER CONNECTION-STRING PORT LOGFILE: the same on any store.
start_gateway_on() {
  # Limits per key far above what one machine can send: the bench measures the gateway, not its limiter's refusals.
  RateLimiting__RequestsPerSecond=100000000 RateLimiting__Burst=100000000 \
    Storage__Provider="$1" Storage__ConnectionString="$2" dotnet "$GATEWAY_DLL" --urls "http://127.0.0.1:$3" >"$4" 2>&1 &
  GATEWAY_PID=$!
  PIDS+=("$GATEWAY_PID")
  wait_for "http://127.0.0.1:$3/readyz"
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

# p50_one URL [HEADER...]: the median over $RUNS runs of ${SECONDS_PER_RUN}s of the p50 in ms at one connection.
p50_one() {
  local url=$1 args=() header p50=() value
  shift
  for header in "$@"; do args+=(-H "$header"); done
  for _ in $(seq "$RUNS"); do
    read -r _ value _ _ < <(wrk_once -t1 -c1 -d"${SECONDS_PER_RUN}s" "${args[@]}" "$url")
    p50+=("$value")
  done
  printf '%s\n' "${p50[@]}" | median
}

# stats_ranges LIST-URL KEY: the statistics' ranges, from the account's own first and last calls (the data ends where
# the generator ends, not today): STATS_MONTH, its last 30 days in Istanbul (the last call's day included, as a
# dashboard's default range is); STATS_MONTH_KOLKATA, the same in Asia/Kolkata (+05:30); STATS_ALL, every day of its
# history in Istanbul; LAST_DAY and ALL_DAYS, the last day and the number of days of STATS_ALL; STATS_PATHS, the
# statistics both reports measure, as NAME|QUERY|EXPECTED-BODY-PATTERN (DAY_SHAPE, a day group's pattern).
stats_ranges() {
  local list=$1 key=$2 first last first_day kolkata_day
  first=$(curl -fs -H "account-secret-key: $key" "$list?per_page=1&order=asc" | sed -E 's/.*"started_at":"([^"]+)".*/\1/') || die "the first call"
  last=$(curl -fs -H "account-secret-key: $key" "$list?per_page=1" | sed -E 's/.*"started_at":"([^"]+)".*/\1/') || die "the last call"
  first_day=$(TZ=Europe/Istanbul date -d "$first" +%F); LAST_DAY=$(TZ=Europe/Istanbul date -d "$last" +%F)
  kolkata_day=$(TZ=Asia/Kolkata date -d "$last" +%F)
  STATS_MONTH="tz=Europe/Istanbul&started_after=$(date -u -d "$LAST_DAY - 29 days" +%F)&started_before=$(date -u -d "$LAST_DAY + 1 day" +%F)"
  STATS_MONTH_KOLKATA="tz=Asia/Kolkata&started_after=$(date -u -d "$kolkata_day - 29 days" +%F)&started_before=$(date -u -d "$kolkata_day + 1 day" +%F)"
  STATS_ALL="tz=Europe/Istanbul&started_after=$first_day&started_before=$(date -u -d "$LAST_DAY + 1 day" +%F)"
  ALL_DAYS=$(( ($(date -u -d "$LAST_DAY" +%s) - $(date -u -d "$first_day" +%s)) / 86400 + 1 ))
  DAY_SHAPE="\"day\":\"$LAST_DAY\",\"calls\":[0-9]+,\"by_status\".*\"group_by\":\\[\"day\"\\]"
  STATS_PATHS=(
    "stats: last 30 days by day|group_by=day&$STATS_MONTH|$DAY_SHAPE"
    "stats: two years by day|group_by=day&$STATS_ALL|$DAY_SHAPE"
    "stats: two years by agent|group_by=agent_id&$STATS_ALL|\"agent_id\":[0-9]+,\"calls\":[0-9]+.*\"group_by\":\\[\"agent_id\"\\]"
    "stats: two years by day, status + agent filter|group_by=day&$STATS_ALL&status=failed&agent_id=3|$DAY_SHAPE"
  )
}

# count_of PATTERN: how many times an extended regular expression occurs on stdin.
count_of() { grep -oE -- "$1" | wc -l; }

# stats_plans FOLDER FILTER: runs the statistics plan tests (tests/Salpre.Storage.Tests, *StatsPlanTests), which
# EXPLAIN every part of each kind of statistics query and assert its shape, writing the plans into FOLDER; counted as
# one check.
stats_plans() {
  rm -rf "$1"
  if SALPRE_PLANS_OUT="$1" dotnet test "$ROOT/tests/Salpre.Storage.Tests/Salpre.Storage.Tests.csproj" -c Release --no-build --nologo \
      --filter "FullyQualifiedName~$2" >"$1.log" 2>&1; then
    check "statistics plans ($2)" 0 ""
  else
    check "statistics plans ($2)" 1 "see $1.log"
  fi
}

# plans_markdown FOLDER STORE...: the plans the tests wrote, case by case, each store's in turn.
plans_markdown() {
  local folder=$1 file case store
  shift
  for file in "$folder/$1"-*.md; do
    [ -f "$file" ] || continue
    case=$(basename "$file" .md); case=${case#"$1"-}
    echo "### $(head -n 1 "$file")"
    echo
    for store in "$@"; do
      [ $# -gt 1 ] && { case "$store" in sqlite) echo "SQLite:" ;; postgres) echo "PostgreSQL:" ;; esac; echo; }
      tail -n +3 "$folder/$store-$case.md"
    done
  done
}

# median: the middle of the numbers on stdin.
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else print v[int((NR + 1) / 2)] }'; }

# check NAME RESULT(0 = passed) DETAIL: one smoke check, counted.
CHECKS_PASSED=0; CHECKS_FAILED=0
check() {
  if [ "$2" = 0 ]; then CHECKS_PASSED=$((CHECKS_PASSED + 1)); log "ok - $1"; else CHECKS_FAILED=$((CHECKS_FAILED + 1)); log "not ok - $1: $3"; fi
}


# start_postgres DIR PORT [keep]: a throwaway PostgreSQL cluster in DIR on 127.0.0.1:PORT (as the postgres user when
# run as root, since PostgreSQL refuses root), or with "keep" the cluster already there; sets PG_DIR, PG_AS and
# PG_CONNECTION (an Npgsql string for database salpre).
start_postgres() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -x "$bin/initdb" ] || die "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)"
  PG_BIN=$bin; PG_DIR=$1; PG_AS=()
  if [ "$(id -u)" -eq 0 ]; then
    PG_AS=(runuser -u postgres --)
    # The postgres user cannot reach a folder under a private one (a clone made in `mktemp -d`): the cluster lives
    # in /var/tmp then, under a name made from the folder's path, so that "keep" finds it again.
    mkdir -p "$PG_DIR"
    runuser -u postgres -- test -x "$PG_DIR" || PG_DIR=/var/tmp/salpre-bench-pg-$(printf %s "$1" | sha256sum | cut -c1-12)
  fi
  PG_CONNECTION="Host=127.0.0.1;Port=$2;Database=salpre;Username=postgres;Maximum Pool Size=100"
  if [ "${3:-}" = keep ]; then
    "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 60 start >/dev/null || die "PostgreSQL did not start (see $PG_DIR/postgres.log)"
    return
  fi
  rm -rf "$PG_DIR"; mkdir -p "$PG_DIR"
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$PG_DIR"; fi
  "${PG_AS[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$PG_DIR/initdb.log" 2>&1 \
    || die "initdb (see $PG_DIR/initdb.log)"
  # Loopback only; the defaults otherwise, except room for the connection pools of two gateway nodes.
  printf "listen_addresses = '127.0.0.1'\nport = %s\nunix_socket_directories = '%s'\nmax_connections = 300\nshared_buffers = 512MB\n" \
    "$2" "$PG_DIR" >>"$PG_DIR/data/postgresql.conf"
  "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 60 start >/dev/null || die "PostgreSQL did not start (see $PG_DIR/postgres.log)"
  "${PG_AS[@]}" "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$2" -U postgres -d postgres -c "CREATE DATABASE salpre" || die "CREATE DATABASE"
}

stop_postgres() {
  [ -n "${PG_DIR:-}" ] && [ -f "$PG_DIR/data/postmaster.pid" ] && "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1
  return 0
}
