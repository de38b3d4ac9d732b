#!/usr/bin/env bash
# The dashboard's two budgets (issue 13, point 9), measured against the real gateway and written to
# bench/results/dashboard.md:
#   - the calls page's HTML, as the server makes it, next to the API's list for the same query (the page always
#     counts its total, so the API is asked with include_total=true; both read the database: Cache-Control: no-cache);
#   - what a first visit downloads of script and style, compressed as a browser asks (br, gzip).
#   bench/dashboard.sh           1,000,000 calls in one account, 50 requests of each (about 3 minutes; data cached)
#   bench/dashboard.sh --smoke   2,000 calls, 10 requests
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

CALLS=1000000; REQUESTS=50; MODE=full
[ "${1:-}" = --smoke ] && { CALLS=2000; REQUESTS=10; MODE=smoke; }
WORK="$ROOT/bench/work/dashboard-$MODE"
REPORT="$ROOT/bench/results/dashboard.md"
[ "$MODE" = smoke ] && REPORT="$WORK/dashboard.md"
PORT=5183
BASE="http://127.0.0.1:$PORT"
mkdir -p "$WORK"
trap stop_all EXIT

log "building (Release)"
dotnet build src/Salpre.Gateway -c Release --nologo -v quiet >/dev/null || die "build"
dotnet build bench/Salpre.Bench.Data -c Release --nologo -v quiet >/dev/null || die "build"

DB="$WORK/calls.db"
if [ ! -f "$WORK/done" ]; then
  rm -rf "$WORK/data" "$DB" "$DB-wal" "$DB-shm"
  log "generating $CALLS calls in one account"
  dotnet "$DATA_DLL" --calls "$CALLS" --accounts 1 --out "$WORK/data" >/dev/null
  created=$(admin accounts create --name bench --json | tail -n 1)
  echo "$(sed -E 's/.*"secret_key":"([^"]+)".*/\1/' <<<"$created")" >"$WORK/key"
  admin import --account 1 --file "$WORK"/data/account-*.ndjson >/dev/null || die "import"
  rm -rf "$WORK/data"
  touch "$WORK/done"
fi
KEY=$(cat "$WORK/key")

start_gateway "$DB" "$PORT" "$WORK/gateway.log"
# A browser's session, opened by a one-time link as a person would.
link=$(admin dashboard link --account 1 --url "$BASE" | tail -n 1)
curl -fs -c "$WORK/cookies" -o /dev/null "$link" || die "sign-in link"

# median_ms URL [HEADER...]: the median total time of REQUESTS requests (after 5 to warm up), in milliseconds.
median_ms() {
  local url=$1; shift
  local args=(); for header in "$@"; do args+=(-H "$header"); done
  for _ in 1 2 3 4 5; do curl -fs -o /dev/null -b "$WORK/cookies" "${args[@]}" "$url" || die "$url"; done
  for _ in $(seq "$REQUESTS"); do
    curl -fs -o /dev/null -b "$WORK/cookies" "${args[@]}" -w '%{time_total}\n' "$url"
  done | awk '{ print $1 * 1000 }' | median
}

rows=""
for query in "tz=UTC" "status=completed,busy&tz=Europe/Istanbul" "status=failed&order=asc&tz=UTC&per_page=50"; do
  page=$(median_ms "$BASE/dashboard/calls?$query")
  api=$(median_ms "$BASE/api/gateway/v1/call/list?$query&include_total=true" "account-secret-key: $KEY" "Cache-Control: no-cache")
  ratio=$(awk -v p="$page" -v a="$api" 'BEGIN { printf "%.2f", p / a }')
  rows+="| \`$query\` | $page | $api | $ratio |"$'\n'
  log "$query: page $page ms, API $api ms, ratio $ratio"
done

html=$(curl -fs -b "$WORK/cookies" "$BASE/dashboard/calls?tz=UTC")
weight=0; assets=""
for asset in $(grep -oE '(src|href)="/dashboard/assets/[^"]+"' <<<"$html" | sed -E 's/.*"(.*)"/\1/'); do
  size=$(curl -fs -o /dev/null -H 'Accept-Encoding: br, gzip' -w '%{size_download}' "$BASE$asset")
  cache=$(curl -fs -D - -o /dev/null -H 'Accept-Encoding: br, gzip' "$BASE$asset" | tr -d '\r' | awk -F': ' 'tolower($1) == "cache-control" { print $2 }')
  weight=$((weight + size)); assets+="| \`$asset\` | $size | $cache |"$'\n'
done
html_size=$(curl -fs -o /dev/null -b "$WORK/cookies" -H 'Accept-Encoding: br, gzip' -w '%{size_download}' "$BASE/dashboard/calls?tz=UTC")

cat >"$REPORT" <<REPORT
# Dashboard: server time and first-visit weight

$CALLS calls in one account (SQLite), $(nproc) cores; \`bench/dashboard.sh\` on $(date -u +%Y-%m-%d). Median of $REQUESTS
requests each, one at a time, measured by curl on the same machine (so each includes a loopback round trip).

| query (the calls page's address = the API's query) | calls page HTML, ms | API list with the total, ms | page / API |
|---|---|---|---|
$rows
Script and style a first visit downloads (compressed; later visits use the browser's cache):

| asset | bytes | Cache-Control |
|---|---|---|
$assets| **total** | **$weight** | |

The calls page's HTML itself: $html_size bytes (not compressed by the gateway).
REPORT
cat "$REPORT"
