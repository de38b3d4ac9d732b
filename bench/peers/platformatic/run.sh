#!/usr/bin/env bash
# Peer benchmark: Platformatic DB (@platformatic/db 2.61.0, auto-generated REST API) over a
# throwaway PostgreSQL cluster, serving the same call records as Salpre Gateway.
#
#   bench/peers/platformatic/run.sh --csv FILE --account ID --out RESULT.json \
#       [--duration SECONDS(10)] [--runs N(3)] [--port-pg 55432] [--port-api 3042]
#
# Needs: bash, node 20 + npm, curl, wrk, PostgreSQL 15 server binaries (initdb, pg_ctl, postgres, psql), runuser.
# Everything listens on 127.0.0.1 only. Everything it starts is stopped, and the temporary
# cluster removed, when it ends (also on failure or Ctrl-C). See README.md beside this file.
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCH_USER="salprebench"
DB_NAME="salpre"

CSV="" ACCOUNT="" OUT="" DURATION=10 RUNS=3 PORT_PG=55432 PORT_API=3042
WARMUP=5 THREADS=2 CONNECTIONS=32

usage() {
  sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit 2
}
die() { echo "run.sh: ERROR: $*" >&2; exit 1; }
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

source "$HERE/lib.sh"

while [ $# -gt 0 ]; do
  case "$1" in
    --csv) CSV="${2:-}"; shift 2 ;;
    --account) ACCOUNT="${2:-}"; shift 2 ;;
    --out) OUT="${2:-}"; shift 2 ;;
    --duration) DURATION="${2:-}"; shift 2 ;;
    --runs) RUNS="${2:-}"; shift 2 ;;
    --port-pg) PORT_PG="${2:-}"; shift 2 ;;
    --port-api) PORT_API="${2:-}"; shift 2 ;;
    -h|--help) usage ;;
    *) echo "run.sh: unknown argument: $1" >&2; usage ;;
  esac
done

[ -n "$CSV" ] && [ -n "$ACCOUNT" ] && [ -n "$OUT" ] || { echo "run.sh: --csv, --account and --out are required" >&2; usage; }
[ -r "$CSV" ] || die "cannot read CSV file: $CSV"
CSV="$(cd "$(dirname "$CSV")" && pwd)/$(basename "$CSV")"
[[ "$ACCOUNT" =~ ^[0-9]+$ ]] || die "--account must be a whole number, got: $ACCOUNT"
[[ "$DURATION" =~ ^[1-9][0-9]*$ ]] || die "--duration must be a positive whole number of seconds, got: $DURATION"
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive whole number, got: $RUNS"
[[ "$PORT_PG" =~ ^[0-9]+$ ]] && [[ "$PORT_API" =~ ^[0-9]+$ ]] || die "ports must be numbers"
[ "$PORT_PG" != "$PORT_API" ] || die "--port-pg and --port-api must differ"
OUT_DIR="$(dirname "$OUT")"
[ -d "$OUT_DIR" ] && [ -w "$OUT_DIR" ] || die "cannot write into the folder of --out: $OUT_DIR"

# ---------------------------------------------------------------- tools
for t in node npm curl wrk awk; do
  command -v "$t" >/dev/null 2>&1 || die "'$t' not found on PATH"
done
PGBIN=""
for d in /usr/lib/postgresql/15/bin "$(command -v pg_config >/dev/null 2>&1 && pg_config --bindir || true)" \
         "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")"; do
  if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ]; then PGBIN="$d"; break; fi
done
[ -n "$PGBIN" ] || die "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found (looked in /usr/lib/postgresql/15/bin, pg_config --bindir, PATH)"
PSQL="$PGBIN/psql"
[ -x "$PSQL" ] || PSQL="$(command -v psql || true)"
[ -n "$PSQL" ] && [ -x "$PSQL" ] || die "psql not found"
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
[ "$NODE_MAJOR" -ge 20 ] || die "Node >= 20 needed, found $(node -v)"

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port_busy "$PORT_PG" && die "port $PORT_PG (--port-pg) on 127.0.0.1 is already in use"
port_busy "$PORT_API" && die "port $PORT_API (--port-api) on 127.0.0.1 is already in use"

# ---------------------------------------------------------------- npm install (skipped when present)
plt_install

# ---------------------------------------------------------------- unprivileged user (PostgreSQL refuses root)
AS=()
if [ "$(id -u)" -eq 0 ]; then
  if ! id -u "$BENCH_USER" >/dev/null 2>&1; then
    log "creating system user $BENCH_USER (PostgreSQL will not run as root)"
    useradd -r -M -d /nonexistent -s /usr/sbin/nologin "$BENCH_USER" || die "useradd $BENCH_USER failed"
  fi
  command -v runuser >/dev/null 2>&1 || die "runuser not found (util-linux)"
fi

# ---------------------------------------------------------------- cleanup, always
TMP="" PLT_PID="" PG_PID=""
cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM ERR
  if [ -n "$PLT_PID" ] && kill -0 "$PLT_PID" 2>/dev/null; then
    log "stopping Platformatic DB (pid $PLT_PID)"
    kill -TERM "$PLT_PID" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$PLT_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$PLT_PID" 2>/dev/null && kill -KILL "$PLT_PID" 2>/dev/null
    wait "$PLT_PID" 2>/dev/null
  fi
  if [ -n "$PG_PID" ] && kill -0 "$PG_PID" 2>/dev/null; then
    # PG_PID is our child (runuser, whose child is the postmaster): stop through pg_ctl, then reap it.
    log "stopping PostgreSQL"
    if ! "${AS[@]}" "$PGBIN/pg_ctl" -D "$TMP/data" -m fast -w -t 30 stop >/dev/null 2>&1; then
      local pm; pm="$(head -1 "$TMP/data/postmaster.pid" 2>/dev/null)"
      [ -n "$pm" ] && kill -KILL "$pm" 2>/dev/null
    fi
    for _ in $(seq 1 100); do kill -0 "$PG_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$PG_PID" 2>/dev/null && kill -KILL "$PG_PID" 2>/dev/null
    wait "$PG_PID" 2>/dev/null
  fi
  if [ -n "$TMP" ] && [ -d "$TMP" ]; then
    if [ "$rc" -ne 0 ]; then
      for f in "$TMP/platformatic.log" "$TMP/postgres.log"; do
        [ -s "$f" ] && { echo "---- last lines of $(basename "$f") ----" >&2; tail -n 30 "$f" >&2; }
      done
    fi
    rm -rf "$TMP"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "run.sh: ERROR: line $LINENO failed: $BASH_COMMAND" >&2' ERR
trap 'log "interrupted (SIGINT)"; exit 130' INT
trap 'log "terminated (SIGTERM)"; exit 143' TERM

TMP="$(mktemp -d /tmp/salpre-plat.XXXXXX)"
chmod 755 "$TMP"
if [ "$(id -u)" -eq 0 ]; then
  chown "$BENCH_USER" "$TMP"
  AS=(runuser -u "$BENCH_USER" -- env HOME="$TMP")
else
  AS=(env HOME="$TMP")
fi
cd "$TMP"

# ---------------------------------------------------------------- PostgreSQL
log "initdb in $TMP/data (PostgreSQL binaries: $PGBIN)"
"${AS[@]}" "$PGBIN/initdb" -D "$TMP/data" -U postgres -A trust -E UTF8 --locale=C --no-sync \
  >"$TMP/initdb.log" 2>&1 || { cat "$TMP/initdb.log" >&2; die "initdb failed"; }
mkdir -p "$TMP/sock"
if [ "$(id -u)" -eq 0 ]; then chown "$BENCH_USER" "$TMP/sock"; fi
cat >>"$TMP/data/postgresql.conf" <<EOF

# salpre peer benchmark: loopback only, everything else left at its default
listen_addresses = '127.0.0.1'
port = $PORT_PG
unix_socket_directories = '$TMP/sock'
EOF
log "starting PostgreSQL on 127.0.0.1:$PORT_PG"
# The postmaster runs as a child of this script (not daemonised by pg_ctl), so it is reaped here when it ends.
"${AS[@]}" "$PGBIN/postgres" -D "$TMP/data" >"$TMP/postgres.log" 2>&1 &
PG_PID=$!
for _ in $(seq 1 120); do
  kill -0 "$PG_PID" 2>/dev/null || die "PostgreSQL exited during start-up (see postgres.log below)"
  "${AS[@]}" "$PSQL" -X -h 127.0.0.1 -p "$PORT_PG" -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1 && break
  sleep 0.5
done
psql_db() { "${AS[@]}" "$PSQL" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT_PG" -U postgres "$@"; }
psql_db -d postgres -Atc 'select 1' >/dev/null || die "PostgreSQL is not answering on 127.0.0.1:$PORT_PG"
PG_VERSION="$(psql_db -d postgres -Atc 'show server_version')"
PG_VERSION="${PG_VERSION%% *}"
psql_db -d postgres -c "create database $DB_NAME"

log "creating table calls"
plt_schema | psql_db -d "$DB_NAME"

log "loading $CSV with COPY"
T0="$(now)"
psql_db -d "$DB_NAME" -c "COPY calls (account_id, call_num, status, from_addr, to_addr, agent_id, direction, started_at, ended_at, duration_sec) FROM STDIN WITH (FORMAT csv, HEADER true)" <"$CSV" \
  || die "COPY of $CSV failed"
T1="$(now)"
psql_db -d "$DB_NAME" -c "$(plt_index)"
T2="$(now)"
psql_db -d "$DB_NAME" -c "ANALYZE calls"
T3="$(now)"
COPY_S="$(elapsed "$T0" "$T1")" INDEX_S="$(elapsed "$T1" "$T2")" ANALYZE_S="$(elapsed "$T2" "$T3")" LOAD_S="$(elapsed "$T0" "$T3")"
ROWS="$(psql_db -d "$DB_NAME" -Atc 'select count(*) from calls')"
ACCOUNT_ROWS="$(psql_db -d "$DB_NAME" -Atc "select count(*) from calls where account_id = $ACCOUNT")"
INDEXES="$(psql_db -d "$DB_NAME" -Atc "select string_agg(indexdef, '; ' order by indexname) from pg_indexes where tablename = 'calls'")"
log "loaded $ROWS rows ($ACCOUNT_ROWS of account $ACCOUNT): COPY ${COPY_S}s, index ${INDEX_S}s, ANALYZE ${ANALYZE_S}s, total ${LOAD_S}s"
log "indexes: $INDEXES"
[ "$ACCOUNT_ROWS" -gt 100010 ] || die "account $ACCOUNT has only $ACCOUNT_ROWS rows: offset 100000 needs more than 100010"

# ---------------------------------------------------------------- Platformatic DB
plt_config "postgres://postgres@127.0.0.1:$PORT_PG/$DB_NAME" "$PORT_API" >"$TMP/platformatic.json"
log "starting Platformatic DB $PLT_VERSION on 127.0.0.1:$PORT_API"
NODE_ENV=production "$PLT_BIN" start -c "$TMP/platformatic.json" >"$TMP/platformatic.log" 2>&1 &
PLT_PID=$!
BASE="http://127.0.0.1:$PORT_API"
ready=0
for _ in $(seq 1 120); do
  kill -0 "$PLT_PID" 2>/dev/null || die "Platformatic DB exited during start-up (see platformatic.log below)"
  if [ "$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$BASE/calls?limit=1" || true)" = 200 ]; then ready=1; break; fi
  sleep 0.5
done
[ "$ready" = 1 ] || die "Platformatic DB did not answer 200 on $BASE/calls within 60 s"
log "Platformatic DB is answering"

# ---------------------------------------------------------------- the three queries
QUERIES=(page1 offset100k status_agent)
declare -A URL SQL
URL[page1]="$BASE/calls?where.accountId.eq=$ACCOUNT&orderby.startedAt=desc&limit=10"
URL[offset100k]="$BASE/calls?where.accountId.eq=$ACCOUNT&orderby.startedAt=desc&limit=10&offset=100000"
URL[status_agent]="$BASE/calls?where.accountId.eq=$ACCOUNT&where.status.eq=failed&where.agentId.eq=3&orderby.startedAt=desc&limit=10"
SQL[page1]="where account_id = $ACCOUNT order by started_at desc limit 10"
SQL[offset100k]="where account_id = $ACCOUNT order by started_at desc limit 10 offset 100000"
SQL[status_agent]="where account_id = $ACCOUNT and status = 'failed' and agent_id = 3 order by started_at desc limit 10"

declare -A PLAN
json_str() { sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' | awk 'NR > 1 { printf " | " } { gsub(/^ +/, ""); printf "%s", $0 }'; }
for q in "${QUERIES[@]}"; do
  psql_db -d "$DB_NAME" -Atc "select extract(epoch from started_at)::bigint from calls ${SQL[$q]}" >"$TMP/expected-$q.txt"
  PLAN[$q]="$(psql_db -d "$DB_NAME" -Atc "explain (analyze, costs off) select * from calls ${SQL[$q]}" | json_str)"
  log "[$q] PostgreSQL plan: ${PLAN[$q]}"
  node "$HERE/verify.mjs" "${URL[$q]}" "$ACCOUNT" "$q" "$TMP/expected-$q.txt" >&2 \
    || die "query $q did not give the expected answer; not measuring"
done

# wrk output -> "rps p50_ms p99_ms non2xx socket_errors"
parse_wrk() {
  awk '
    function ms(v) {
      if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 }
      if (v ~ /ms$/) { sub(/ms$/, "", v); return v + 0 }
      if (v ~ /m$/)  { sub(/m$/, "", v);  return v * 60000 }
      if (v ~ /h$/)  { sub(/h$/, "", v);  return v * 3600000 }
      if (v ~ /s$/)  { sub(/s$/, "", v);  return v * 1000 }
      return v + 0
    }
    /^Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx or 3xx responses:/ { non2xx = $NF }
    /Socket errors:/ { gsub(/,/, ""); sock = $4 + $6 + $8 + $10 }
    END {
      if (rps == "" || p50 == "" || p99 == "") exit 1
      printf "%.2f %.3f %.3f %d %d\n", rps, p50, p99, non2xx + 0, sock + 0
    }'
}
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) printf "%s", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
QUERIES_JSON=""
for q in "${QUERIES[@]}"; do
  url="${URL[$q]}"
  cmd="wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency '$url'"
  log "[$q] warm-up ${WARMUP}s: $url"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "$url" >"$TMP/warmup-$q.txt" 2>&1 || die "wrk warm-up failed for $q"
  rps_all="" p50_all="" p99_all="" runs_json=""
  for r in $(seq 1 "$RUNS"); do
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$url" >"$TMP/wrk-$q-$r.txt" 2>&1 \
      || { cat "$TMP/wrk-$q-$r.txt" >&2; die "wrk failed for $q run $r"; }
    read -r rps p50 p99 non2xx sockerr < <(parse_wrk <"$TMP/wrk-$q-$r.txt") \
      || { cat "$TMP/wrk-$q-$r.txt" >&2; die "could not read wrk output for $q run $r"; }
    [ "$non2xx" -eq 0 ] || { cat "$TMP/wrk-$q-$r.txt" >&2; die "$q run $r: $non2xx responses were not 2xx"; }
    [ "$sockerr" -eq 0 ] || log "[$q] WARNING run $r: $sockerr socket errors (see socket_errors in the JSON)"
    log "[$q] run $r/$RUNS: $rps req/s, p50 ${p50} ms, p99 ${p99} ms"
    rps_all+=" $rps" p50_all+=" $p50" p99_all+=" $p99"
    runs_json+="${runs_json:+,}{\"rps\":$rps,\"p50_ms\":$p50,\"p99_ms\":$p99,\"non_2xx\":$non2xx,\"socket_errors\":$sockerr}"
  done
  m_rps="$(echo "$rps_all" | median)" m_p50="$(echo "$p50_all" | median)" m_p99="$(echo "$p99_all" | median)"
  log "[$q] median of $RUNS: $m_rps req/s, p50 $m_p50 ms, p99 $m_p99 ms"
  QUERIES_JSON+="${QUERIES_JSON:+,}
    \"$q\": {\"rps\": $m_rps, \"p50_ms\": $m_p50, \"p99_ms\": $m_p99,
      \"url\": \"$url\",
      \"command\": \"$cmd\",
      \"sql\": \"select * from calls ${SQL[$q]//\"/\\\"}\",
      \"plan\": \"${PLAN[$q]}\",
      \"runs\": [$runs_json]}"
done

NODE_VERSION="$(node -v)"
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
WRK_VERSION="$( (wrk -v 2>&1 || true) | awk 'NR == 1 { print $2 }')"
TMP_OUT="$OUT.tmp.$$"
cat >"$TMP_OUT" <<EOF
{
  "tool": "@platformatic/db $PLT_VERSION",
  "postgres": "$PG_VERSION",
  "node": "$NODE_VERSION",
  "wrk": "$WRK_VERSION",
  "rows": $ROWS,
  "account": $ACCOUNT,
  "account_rows": $ACCOUNT_ROWS,
  "csv": "$CSV",
  "load_s": {"copy": $COPY_S, "index": $INDEX_S, "analyze": $ANALYZE_S, "total": $LOAD_S},
  "indexes": "$INDEXES",
  "wrk_settings": {"threads": $THREADS, "connections": $CONNECTIONS, "duration_s": $DURATION, "warmup_s": $WARMUP, "runs": $RUNS, "statistic": "median over runs"},
  "machine": {"cpus": $(nproc), "kernel": "$(uname -r)", "loadavg_before": "$LOAD_BEFORE", "loadavg_after": "$LOAD_AFTER"},
  "queries": {$QUERIES_JSON
  }
}
EOF
node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$TMP_OUT" || die "internal error: result is not valid JSON ($TMP_OUT)"
mv "$TMP_OUT" "$OUT"
log "wrote $OUT"
cat "$OUT"
