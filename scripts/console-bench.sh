#!/usr/bin/env bash
# The console's read bar: GET /symbols and GET /decisions p99 with 100 symbols and 100,000 decisions stored.
# Starts Kyperian (Release, role all, a fresh embedded database file) on 127.0.0.1, seeds it through /webhook
# (bench/LoadDriver seed: unique alerts over 100 symbols and 4 timeframes, until the engine has decided them all;
# SettleMilliseconds=0, so that every alert is a decision of its own and none waits for a bar-close burst),
# then times each read one request at a time (bench/LoadDriver reads) and writes bench/results/console-reads.txt.
#
# Usage: scripts/console-bench.sh
# Environment: SYMBOLS [100]  DECISIONS [100000]  REQUESTS [2000]  WARMUP [2000: requests per path before timing, so
#   the timed ones run the JIT's final code]  PORT [5890]  NO_BUILD=1
#   FORCE=1 runs on a busy machine too (load average 1.5 or more); the figures are then not ones of record.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

SYMBOLS=${SYMBOLS:-100}
DECISIONS=${DECISIONS:-100000}
REQUESTS=${REQUESTS:-2000}
WARMUP=${WARMUP:-2000}
PORT=${PORT:-5890}
PASSPHRASE=console-bench-passphrase
API_KEY=console-bench-operator-key

load=$(cut -d ' ' -f 1 /proc/loadavg)
if awk "BEGIN { exit !($load >= 1.5) }" && [ "${FORCE:-}" != 1 ]; then
  echo "load average $load is 1.5 or more: the machine is busy, no figure of record. FORCE=1 runs anyway." >&2
  exit 3
fi

out="$root/artifacts/console-bench"
rm -rf "$out"
mkdir -p "$out"
if [ "${NO_BUILD:-}" != 1 ]; then
  for project in src/Kyperian.Api bench/LoadDriver; do
    dotnet build "$project" -c Release -nologo -v quiet -clp:ErrorsOnly >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
  done
fi
driver="$root/bench/LoadDriver/bin/Release/net10.0/LoadDriver.dll"

db=$(mktemp -d /tmp/kyperian-console-bench-XXXXXX)
app_pid=
cleanup() {
  if [ -n "$app_pid" ]; then kill "$app_pid" 2>/dev/null || true; wait "$app_pid" 2>/dev/null || true; fi
  rm -rf "$db"
}
trap cleanup EXIT

(cd "$root/src/Kyperian.Api/bin/Release/net10.0" && env \
  ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
  Kyperian__Role=all Kyperian__Embedded__Path="$db/kyperian.db" Kyperian__Webhook__RateLimitPerSecond=0 \
  Kyperian__Webhook__Passphrase="$PASSPHRASE" Kyperian__Operator__ApiKey="$API_KEY" \
  Kyperian__Engine__SettleMilliseconds=0 \
  dotnet Kyperian.Api.dll --urls "http://127.0.0.1:$PORT") >"$out/app.log" 2>&1 &
app_pid=$!
for _ in $(seq 1 300); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/health" 2>/dev/null && break
  kill -0 "$app_pid" 2>/dev/null || { tail -20 "$out/app.log"; exit 1; }
  sleep 0.1
done

results="$root/bench/results/console-reads.txt"
{
  echo "# scripts/console-bench.sh — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "# machine: $(nproc) cores, $(uname -sr), dotnet $(dotnet --version); load before: $(cut -d ' ' -f 1-3 /proc/loadavg)"
} >"$results"
dotnet "$driver" seed --url "http://127.0.0.1:$PORT" --api-key "$API_KEY" --passphrase "$PASSPHRASE" \
  --symbols "$SYMBOLS" --decisions "$DECISIONS" | tee -a "$results"
middle=$(date -u -d "@$(( $(date +%s) - 30 ))" +%Y-%m-%dT%H:%M:%SZ)
dotnet "$driver" reads --url "http://127.0.0.1:$PORT" --api-key "$API_KEY" --requests "$REQUESTS" --warmup "$WARMUP" \
  --paths "/symbols,/decisions?limit=50,/decisions?limit=500,/decisions?symbol=SYM007&limit=50,/decisions?verdict=EXECUTE&limit=50,/decisions?to=$middle&limit=50" \
  | tee -a "$results"
echo "# load after: $(cut -d ' ' -f 1-3 /proc/loadavg)" >>"$results"
echo "written: $results"
