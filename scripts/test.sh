#!/usr/bin/env bash
# Installs what the tests need (redis-server, chromium, dynalite), then runs every test of the solution.
# Ends with one plain line: "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

if ! command -v redis-server >/dev/null 2>&1; then
  echo "installing redis-server (Debian)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq redis-server >/dev/null
  # The tests start their own servers on free ports; the packaged service is not needed.
  (service redis-server stop || true) >/dev/null 2>&1
fi

# The console's browser tests drive Debian's chromium headless through Playwright; no browser is downloaded.
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing chromium (Debian)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
export KYPERIAN_CHROMIUM="$(command -v chromium)"

if [ ! -x scripts/servers/node_modules/.bin/dynalite ]; then
  echo "installing dynalite (npm, pinned in scripts/servers/package-lock.json)"
  (cd scripts/servers && npm ci --no-audit --no-fund --loglevel=error)
fi
export KYPERIAN_DYNALITE="$root/scripts/servers/node_modules/.bin/dynalite"
export KYPERIAN_REDIS_SERVER="$(command -v redis-server)"

results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

# The console's browser test saves its screenshot here; a fresh one becomes the README's (docs/console.png).
screenshot="$root/artifacts/console/console.png"
rm -f "$screenshot"

status=0
bash scripts/lint-template.sh || status=1
dotnet test Kyperian.Api.sln -c Release --logger "trx" --results-directory "$results" -- RunConfiguration.TreatNoTestsAsError=true || status=$?
if [ -f "$screenshot" ]; then
  cp "$screenshot" "$root/docs/console.png"
fi

# Sum the outcomes of every test project's run into the one closing line.
passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "no tests ran" >&2
  status=1
fi
echo "${passed} passed, ${failed} failed"
exit "$status"
