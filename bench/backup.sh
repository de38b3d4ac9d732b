#!/usr/bin/env bash
# How fast `backup` copies a SQLite database: the Release admin command run 3 times on a scratch copy of DB (the
# database given is only read, with its -wal), median seconds, the copy's bytes, MB/s and calls/s; one table row.
#   bench/backup.sh bench/work/full/scale-1000000.db
# The scratch copy and the backups (one at a time) are removed at the end.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

SOURCE=${1:?usage: bench/backup.sh DATABASE}
[ -f "$SOURCE" ] || die "no database $SOURCE"
RUNS=3
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/salpre-backup-bench-XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT
build_release

DB="$SCRATCH/source.db"
cp "$SOURCE" "$DB"
[ -f "$SOURCE-wal" ] && cp "$SOURCE-wal" "$DB-wal"
# The calls, for calls/s, when the sqlite3 shell is there.
calls=$(sqlite3 "$DB" "SELECT count(*) FROM calls" 2>/dev/null || echo n/a)
seconds=(); bytes=0
for run in $(seq "$RUNS"); do
  line=$(admin backup --to "$SCRATCH/copy-$run.db" --json | tail -n 1) || die "backup $run"
  seconds+=("$(sed -E 's/.*"seconds":([0-9.]+).*/\1/' <<<"$line")")
  bytes=$(sed -E 's/.*"bytes":([0-9]+).*/\1/' <<<"$line")
  rm -f "$SCRATCH/copy-$run.db"
done
median_s=$(printf '%s\n' "${seconds[@]}" | median)
echo "| database | calls | bytes | seconds (median of $RUNS) | MB/s | calls/s | build |"
echo "|---|---|---|---|---|---|---|"
awk -v db="$(basename "$SOURCE")" -v calls="$calls" -v bytes="$bytes" -v s="$median_s" -v built="$BUILT_FROM" 'BEGIN {
  printf "| %s | %s | %d | %.2f | %.0f | %s | %s |\n", db, calls, bytes, s, bytes / 1e6 / s, (calls ~ /^[0-9]+$/ ? sprintf("%.0f", calls / s) : "n/a"), built }'
