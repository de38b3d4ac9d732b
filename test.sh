#!/usr/bin/env bash
# Builds the solution and runs every test suite; ends with one line: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")"

configuration=${CONFIGURATION:-Release}
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

if ! dotnet build Salpre.slnx -c "$configuration" --nologo -v quiet; then
  echo "0 passed, 1 failed (the build failed)"
  exit 1
fi

missing=0
for project in tests/*/*.csproj; do
  name=$(basename "$project" .csproj)
  dotnet test "$project" -c "$configuration" --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" --results-directory "$results"
  # A suite that crashed before reporting counts as a failure, never as nothing.
  [ -f "$results/$name.trx" ] || { echo "$name produced no results"; missing=$((missing + 1)); }
done

sum() { grep -ho "<Counters [^>]*" "$results"/*.trx 2>/dev/null | grep -o " $1=\"[0-9]*\"" | grep -o "[0-9]*" | awk '{ s += $1 } END { print s + 0 }'; }
total=$(sum total); passed=$(sum passed); failed=$(( $(sum failed) + $(sum error) + $(sum timeout) + $(sum aborted) + missing ))
skipped=$(( ${total:-0} - $(sum executed) ))
echo "${passed:-0} passed, ${failed} failed, ${skipped} skipped"
[ "$failed" -eq 0 ]
