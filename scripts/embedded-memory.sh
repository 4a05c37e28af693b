#!/usr/bin/env bash
# Memory of the embedded mode: RSS of the real process (Release, role all, durable SQLite default) after 200,000
# and after 400,000 unique accepted alerts, on a throwaway database. wrk drives /webhook with bench/loadtest/alerts.lua
# (unique alerts, plus its resends and bad payloads) in short rounds until the store holds each target; after each
# target the engine is let drain (decisions = signals) and RSS is read from /proc. Each round's KYP_RUN is its number
# (alerts.lua writes it into prices, so it must be digits): bodies stay unique across rounds.
#
# Usage: scripts/embedded-memory.sh      Environment: CONNECTIONS [16]  ROUND [10s]  PORT [5881]  NO_BUILD=1
# Results: printed, and in artifacts/memory/summary.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
CONNECTIONS=${CONNECTIONS:-16}
ROUND=${ROUND:-10s}
PORT=${PORT:-5881}
PASSPHRASE=memory-test-passphrase-0123
API_KEY=memory-test-operator-key-0123
out="$root/artifacts/memory"
rm -rf "$out"; mkdir -p "$out"
db_dir=$(mktemp -d /tmp/kyperian-memory-XXXXXX)
summary="$out/summary.txt"; : >"$summary"
say() { echo "$*" | tee -a "$summary"; }

command -v wrk >/dev/null 2>&1 || { export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
if [ "${NO_BUILD:-}" != 1 ]; then
  dotnet build src/Kyperian.Api -c Release -nologo -v quiet -clp:ErrorsOnly >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
fi
api_dir="$root/src/Kyperian.Api/bin/Release/net10.0"

(cd "$api_dir" && exec env ASPNETCORE_ENVIRONMENT=Production \
    Kyperian__Embedded__Path="$db_dir/kyperian.db" \
    Kyperian__Webhook__Passphrase="$PASSPHRASE" Kyperian__Operator__ApiKey="$API_KEY" \
    Kyperian__Webhook__RateLimitPerSecond=0 Logging__LogLevel__Default=Warning \
    dotnet Kyperian.Api.dll --urls "http://127.0.0.1:$PORT") >"$out/app.log" 2>&1 &
app_pid=$!
trap 'kill -TERM $app_pid 2>/dev/null || true; wait $app_pid 2>/dev/null || true; rm -rf "$db_dir"' EXIT INT TERM
for _ in $(seq 1 300); do curl -fsS -o /dev/null "http://127.0.0.1:$PORT/health/live" 2>/dev/null && break; sleep 0.1; done

rss_mb() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$app_pid/status"; }
totals() { curl -fsS -H "X-Api-Key: $API_KEY" "http://127.0.0.1:$PORT/health" | grep -o '[0-9]* signals, [0-9]* decisions' || echo "0 signals, 0 decisions"; }
signals() { totals | awk '{ print $1 }'; }
drain() {
  for _ in $(seq 1 600); do
    t=$(totals); s=$(echo "$t" | awk '{ print $1 }'); d=$(echo "$t" | awk '{ print $3 }')
    [ "$s" = "$d" ] && return 0
    sleep 0.5
  done
  echo "the engine did not drain: $(totals)" >&2; return 1
}

say "Kyperian embedded memory — $(date -u +%Y-%m-%dT%H:%M:%SZ); $(nproc) cores; load before: $(uptime | sed 's/.*load average: //')"
say "wrk 2 threads, $CONNECTIONS connections, rounds of $ROUND; database $db_dir/kyperian.db"
say "start: RSS $(rss_mb) MB"
round=0
for target in 200000 400000; do
  while [ "$(signals)" -lt "$target" ]; do
    round=$((round + 1))
    KYP_RUN="$round" KYP_WRK_OUT="$out/round$round.wrk" KYP_PASSPHRASE="$PASSPHRASE" \
      timeout 300 wrk -t2 -c"$CONNECTIONS" -d"$ROUND" --timeout 5s -s "$root/bench/loadtest/alerts.lua" \
      "http://127.0.0.1:$PORT/webhook" >"$out/round$round.out" 2>&1
  done
  drain
  say "after $(totals): RSS $(rss_mb) MB, database $(du -sh "$db_dir" | cut -f1) (rounds so far: $round)"
done
say "load after: $(uptime | sed 's/.*load average: //')"
