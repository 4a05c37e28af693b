#!/usr/bin/env bash
# Decision → notification delivered, at a fixed alert rate, with a loopback receiver: the app (Release, role all,
# embedded database) sends every decision (execute and veto) to one signed webhook, bench/LoadDriver's `receive`
# mode, which times each event from its occurredAt (the decision's time) to its arrival. `rate` drives /webhook at
# RATE alerts/s for SECONDS and checks that nothing was lost. Needs a quiet machine (load average below 1.5).
#
#   scripts/notify-bench.sh            # RATE=1000 SECONDS=60 PORT=5890 RECEIVER_PORT=5891 CONCURRENCY=16
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
RATE=${RATE:-1000}; SECONDS_=${SECONDS:-60}; PORT=${PORT:-5890}; RECEIVER_PORT=${RECEIVER_PORT:-5891}
CONCURRENCY=${CONCURRENCY:-16}
PASSPHRASE=bench-passphrase-0123456789; API_KEY=bench-operator-key-0123456789; SECRET=bench-webhook-secret-0123456789
out="$root/bench/results"; mkdir -p "$out"
db=$(mktemp -d /tmp/kyperian-notify-bench-XXXXXX)
trap 'kill ${app_pid:-} ${receiver_pid:-} 2>/dev/null || true; rm -rf "$db"' EXIT INT TERM

echo "load before: $(uptime | sed 's/.*load average: //')"
for project in src/Kyperian.Api bench/LoadDriver; do
  dotnet build "$project" -c Release -nologo -v quiet -clp:ErrorsOnly
done
driver="$root/bench/LoadDriver/bin/Release/net10.0/LoadDriver.dll"
app_dir="$root/src/Kyperian.Api/bin/Release/net10.0"

dotnet "$driver" receive --port "$RECEIVER_PORT" --idle-seconds 15 --out "$out/notify-receive.txt" &
receiver_pid=$!

(cd "$app_dir" && exec env ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
    Kyperian__Role=all Kyperian__Embedded__Path="$db/kyperian.db" Kyperian__Webhook__RateLimitPerSecond=0 \
    Kyperian__Webhook__Passphrase="$PASSPHRASE" Kyperian__Operator__ApiKey="$API_KEY" \
    Kyperian__Notify__Events=decision.execute,decision.veto \
    Kyperian__Notify__Webhooks__0__Url="http://127.0.0.1:$RECEIVER_PORT/" Kyperian__Notify__Webhooks__0__Secret="$SECRET" \
    Kyperian__Notify__Webhooks__0__MaxConcurrency="$CONCURRENCY" \
    dotnet Kyperian.Api.dll --urls "http://127.0.0.1:$PORT") >"$out/notify-bench-app.log" 2>&1 &
app_pid=$!
for _ in $(seq 1 300); do curl -fsS -o /dev/null "http://127.0.0.1:$PORT/health" 2>/dev/null && break; sleep 0.1; done

dotnet "$driver" rate --url "http://127.0.0.1:$PORT" --api-key "$API_KEY" --passphrase "$PASSPHRASE" \
  --rate "$RATE" --duration "$SECONDS_" --drain-seconds 60 --out "$out/notify-rate.txt" >/dev/null || true
wait "$receiver_pid" || true
echo "load after: $(uptime | sed 's/.*load average: //')"
cat "$out/notify-rate.txt" "$out/notify-receive.txt"
