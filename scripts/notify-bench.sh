#!/usr/bin/env bash
# Decision → notification delivered, at a fixed alert rate, with a loopback receiver: the app (Release, role all,
# embedded database) sends every decision (execute and veto) to one signed webhook, bench/LoadDriver's `receive`
# mode, which times each event from its occurredAt (the decision's time) to its arrival. `rate` drives /webhook at
# RATE alerts/s for DURATION_SECONDS and checks that nothing was lost.
#
# Two runs, each on a fresh database: `live` (the receiver alone) and `dead` (the receiver and a second webhook that
# takes every request and never answers). What the dead destination may not change is the webhook's answer time and
# webhook → decision: compare http_p99_ms and decision_latency_p99_ms of the two runs. Needs a quiet machine (load
# average below 1.5).
#
#   scripts/notify-bench.sh            # RATE=1000 DURATION_SECONDS=60 PORT=5890 RECEIVER_PORT=5891 DEAD_PORT=5892 CONCURRENCY=16
#   RUNS=live scripts/notify-bench.sh  # one run only (live or dead)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
RATE=${RATE:-1000}; SECONDS_=${DURATION_SECONDS:-60}; PORT=${PORT:-5890}; RECEIVER_PORT=${RECEIVER_PORT:-5891}
DEAD_PORT=${DEAD_PORT:-5892}; CONCURRENCY=${CONCURRENCY:-16}; RUNS=${RUNS:-live dead}
PASSPHRASE=bench-passphrase-0123456789; API_KEY=bench-operator-key-0123456789; SECRET=bench-webhook-secret-0123456789
out="$root/bench/results"; mkdir -p "$out"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf /tmp/kyperian-notify-bench-run-*; }
trap cleanup EXIT INT TERM

echo "load before: $(uptime | sed 's/.*load average: //')"
for project in src/Kyperian.Api bench/LoadDriver; do
  dotnet build "$project" -c Release -nologo -v quiet -clp:ErrorsOnly
done
driver="$root/bench/LoadDriver/bin/Release/net10.0/LoadDriver.dll"
app_dir="$root/src/Kyperian.Api/bin/Release/net10.0"

run() {
  local name=$1 suffix=$2 db dead_env=()
  db=$(mktemp -d /tmp/kyperian-notify-bench-run-XXXXXX)
  dotnet "$driver" receive --port "$RECEIVER_PORT" --idle-seconds 15 --out "$out/notify-receive$suffix.txt" &
  local receiver_pid=$!; pids+=("$receiver_pid")
  if [ "$name" = dead ]; then
    dotnet "$driver" receive --port "$DEAD_PORT" --hang true >/dev/null 2>&1 &
    local dead_pid=$!; pids+=("$dead_pid")
    dead_env=(Kyperian__Notify__Webhooks__1__Url="http://127.0.0.1:$DEAD_PORT/" Kyperian__Notify__Webhooks__1__Secret="$SECRET")
  fi

  (cd "$app_dir" && exec env ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
      Kyperian__Role=all Kyperian__Embedded__Path="$db/kyperian.db" Kyperian__Webhook__RateLimitPerSecond=0 \
      Kyperian__Webhook__Passphrase="$PASSPHRASE" Kyperian__Operator__ApiKey="$API_KEY" Kyperian__Engine__SettleMilliseconds=0 \
      Kyperian__Notify__Events=decision.execute,decision.veto \
      Kyperian__Notify__Webhooks__0__Url="http://127.0.0.1:$RECEIVER_PORT/" Kyperian__Notify__Webhooks__0__Secret="$SECRET" \
      Kyperian__Notify__Webhooks__0__MaxConcurrency="$CONCURRENCY" "${dead_env[@]}" \
      dotnet Kyperian.Api.dll --urls "http://127.0.0.1:$PORT") >"$out/notify-bench-app$suffix.log" 2>&1 &
  local app_pid=$!; pids+=("$app_pid")
  for _ in $(seq 1 300); do curl -fsS -o /dev/null "http://127.0.0.1:$PORT/health/live" 2>/dev/null && break; sleep 0.1; done

  echo "run $name: load $(uptime | sed 's/.*load average: //')"
  dotnet "$driver" rate --url "http://127.0.0.1:$PORT" --api-key "$API_KEY" --passphrase "$PASSPHRASE" \
    --rate "$RATE" --duration "$SECONDS_" --drain-seconds 60 --out "$out/notify-rate$suffix.txt" >/dev/null || true
  wait "$receiver_pid" || true
  kill "$app_pid" ${dead_pid:-} 2>/dev/null || true
  wait "$app_pid" 2>/dev/null || true
  rm -rf "$db"
}

for name in $RUNS; do
  case "$name" in
    live) run live "" ;;
    dead) run dead "-dead" ;;
    *) echo "unknown run $name (live, dead)" >&2; exit 2 ;;
  esac
done
echo "load after: $(uptime | sed 's/.*load average: //')"

for name in $RUNS; do
  suffix=""; [ "$name" = dead ] && suffix="-dead"
  echo "== $name"
  grep -E '^(achieved_rate|http_p99_ms|decision_latency_p99_ms|lost)=' "$out/notify-rate$suffix.txt" || true
  grep -E '^(events|repeats|delay_p50_ms|delay_p99_ms)=' "$out/notify-receive$suffix.txt" || true
done
