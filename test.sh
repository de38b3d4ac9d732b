#!/usr/bin/env bash
# Installs what the suites need, builds the solution and runs every test suite; ends with one line: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")"

# What the suites call that a fresh machine may lack, from Debian's packages: installed here when this user may
# (root, or sudo without a password), else named with the command that installs them, before anything is built.
missing=()
command -v git >/dev/null || missing+=(git)               # the first-run test clones the repository
command -v curl >/dev/null || missing+=(curl)             # the List Calls document's curl sample
command -v node >/dev/null || missing+=(nodejs)           # its JavaScript sample
[ -d /usr/share/zoneinfo/Europe ] || missing+=(tzdata)    # IANA zones for the tz parameter
command -v redis-server >/dev/null || [ -x /usr/bin/redis-server ] || missing+=(redis-server)  # shared rate limits
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)  # a throwaway server per run
[ -x /usr/lib/chromium/chromium ] || command -v chromium >/dev/null || missing+=(chromium)  # the dashboard's browser tests
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then sudo=""
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo=sudo
  else
    echo "The tests need Debian packages this machine lacks: ${missing[*]}. Install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing what the tests need: ${missing[*]}"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null \
    || { echo "Could not install ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}" >&2; exit 1; }
fi

configuration=${CONFIGURATION:-Release}
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

if ! dotnet build Salpre.slnx -c "$configuration" --nologo -v quiet; then
  echo "0 passed, 1 failed (the build failed)"
  exit 1
fi

missing=0
run_suite() { # project, results name, extra arguments
  local project=$1 name=$2
  shift 2
  dotnet test "$project" -c "$configuration" --no-build --nologo "$@" \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" --results-directory "$results"
  # A suite that crashed before reporting counts as a failure, never as nothing.
  [ -f "$results/$name.trx" ] || { echo "$name produced no results"; missing=$((missing + 1)); }
}
for project in tests/*/*.csproj; do
  run_suite "$project" "$(basename "$project" .csproj)"
done
# The HTTP contract again, with every gateway on PostgreSQL (a throwaway server the tests start); tests about the
# SQLite file itself are left out, and so are those that start servers of their own (Run=Once), already run above.
SALPRE_TEST_STORAGE=postgres run_suite tests/Salpre.Gateway.Tests/Salpre.Gateway.Tests.csproj Salpre.Gateway.Tests.postgres \
  --filter "Storage!=SqliteOnly&Run!=Once"

# The benchmarks' smoke: every benchmarked path answers correctly, on SQLite and on PostgreSQL, and a 30-second soak runs
# without an error (checks count as tests).
smoke_passed=0; smoke_failed=0
for bench in run.sh stores.sh soak.sh webhooks.sh export.sh; do
  smoke=$(bench/$bench --smoke 2>"$results/$bench.log" | tail -n 1)
  echo "bench/$bench smoke: ${smoke:-no result}"
  passed_here=$(sed -nE 's/^smoke: ([0-9]+) passed, ([0-9]+) failed$/\1/p' <<<"$smoke")
  failed_here=$(sed -nE 's/^smoke: ([0-9]+) passed, ([0-9]+) failed$/\2/p' <<<"$smoke")
  [ -n "$passed_here" ] || { cat "$results/$bench.log"; passed_here=0; failed_here=1; }
  [ "$failed_here" = 0 ] || cat "$results/$bench.log"
  smoke_passed=$((smoke_passed + passed_here)); smoke_failed=$((smoke_failed + failed_here))
done

sum() { grep -ho "<Counters [^>]*" "$results"/*.trx 2>/dev/null | grep -o " $1=\"[0-9]*\"" | grep -o "[0-9]*" | awk '{ s += $1 } END { print s + 0 }'; }
total=$(sum total); passed=$(( $(sum passed) + smoke_passed )); failed=$(( $(sum failed) + $(sum error) + $(sum timeout) + $(sum aborted) + missing + smoke_failed ))
skipped=$(( ${total:-0} - $(sum executed) ))
echo "${passed:-0} passed, ${failed} failed, ${skipped} skipped"
[ "$failed" -eq 0 ]
