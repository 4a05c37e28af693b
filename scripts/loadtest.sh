#!/usr/bin/env bash
# Load test of POST /webhook, all on 127.0.0.1:
#   1. baseline: bench/BareEndpoint (Kestrel + minimal API + System.Text.Json parse, 202), driven by wrk
#   2. Kyperian, role all, driven identically by wrk (bench/loadtest/alerts.lua: varied alerts, resends, bad
#      payloads); then every 202 is checked against the store (totals from /health, sampled ids one by one)
#   3. Kyperian, fresh process, 1,000 alerts/s for 60 s (bench/LoadDriver, open loop); every 202 id checked:
#      stored once, decided once; webhook → decision latency from each decision's latencyMs
#
# Usage: scripts/loadtest.sh [--backends embedded|local]
#   embedded (default): the durable embedded database (SQLite, a fresh file per phase), in-process bus — the
#          performance bars.
#   local: DynamoDB on dynalite + Redis on redis-server (fresh per phase, on REDIS_PORT [6391] and
#          DYNALITE_PORT [4591]), in-process bus; totals counted in the tables.
# Environment (defaults in brackets):
#   DURATION [30s]  CONNECTIONS [64]  THREADS [2]  WARMUP [10s]     wrk phases (bare and app alike)
#   RATE [1000]  RATE_SECONDS [60]  RATE_WARMUP [15]                fixed-rate phase (seconds measured, after a warm-up at the same rate)
#   DRAIN_SECONDS [120 embedded, 300 local]: how long the checks wait for the engine to decide the backlog
#   PORT [5880]  SKIP_BARE=1  SKIP_WRK=1  SKIP_RATE=1  NO_BUILD=1  DB_TMP [/tmp]: where the database files go (/dev/shm: no disk)
#   QUICK=1  → DURATION=5s WARMUP=2s RATE_SECONDS=10 RATE_WARMUP=2 (a smoke run, not a measurement)
# Results: printed, and written under artifacts/loadtest/BACKENDS/ (summary.txt, the app logs, the raw phase outputs).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

backends=embedded
while [ $# -gt 0 ]; do
  case "$1" in
    --backends) backends="${2:?--backends needs embedded or local}"; shift 2 ;;
    --backends=*) backends="${1#*=}"; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

if [ "${QUICK:-}" = 1 ]; then
  DURATION=${DURATION:-5s}; WARMUP=${WARMUP:-2s}; RATE_SECONDS=${RATE_SECONDS:-10}; RATE_WARMUP=${RATE_WARMUP:-2}
fi
DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-10s}
RATE=${RATE:-1000}
RATE_SECONDS=${RATE_SECONDS:-60}
RATE_WARMUP=${RATE_WARMUP:-15}
PORT=${PORT:-5880}
PASSPHRASE=loadtest-passphrase
API_KEY=loadtest-operator-key

out="$root/artifacts/loadtest/$backends"
rm -rf "$out"
mkdir -p "$out"
summary="$out/summary.txt"
: >"$summary"
say() { echo "$*" | tee -a "$summary"; }

REDIS_PORT=${REDIS_PORT:-6391}
DYNALITE_PORT=${DYNALITE_PORT:-4591}
verify_store=()
case "$backends" in
  embedded)
    DRAIN_SECONDS=${DRAIN_SECONDS:-120}
    backend_env=(Kyperian__Store=embedded Kyperian__Bus=embedded Kyperian__State=embedded)
    ;;
  local)
    DRAIN_SECONDS=${DRAIN_SECONDS:-300}
    # DynamoDB (dynalite) for signals, decisions and risk; Redis for dedupe and timeframe state. The bus stays the
    # in-process channel: EventBridge and SQS have no local server here.
    backend_env=(Kyperian__Store=dynamodb Kyperian__Bus=embedded Kyperian__State=redis
      Kyperian__DynamoDb__ServiceUrl="http://127.0.0.1:$DYNALITE_PORT" Kyperian__DynamoDb__Region=us-east-1
      Kyperian__DynamoDb__CreateTables=true
      Kyperian__DynamoDb__SignalsTable=kyperian-load-signals Kyperian__DynamoDb__DecisionsTable=kyperian-load-decisions
      Kyperian__Redis__Host=127.0.0.1 Kyperian__Redis__Port="$REDIS_PORT"
      AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local)
    verify_store=(--dynamodb-url "http://127.0.0.1:$DYNALITE_PORT"
      --signals-table kyperian-load-signals --decisions-table kyperian-load-decisions)
    ;;
  *) echo "--backends must be embedded or local" >&2; exit 2 ;;
esac

# --- tools ---------------------------------------------------------------------------------------------------
if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk (Debian)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi

if [ "$backends" = local ]; then
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "installing redis-server (Debian)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq redis-server >/dev/null
    (service redis-server stop || true) >/dev/null 2>&1
  fi
  if [ ! -x scripts/servers/node_modules/.bin/dynalite ]; then
    echo "installing dynalite (npm, pinned in scripts/servers/package-lock.json)"
    (cd scripts/servers && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi

if [ "${NO_BUILD:-}" != 1 ]; then
  echo "building Release: Kyperian.Api, BareEndpoint, LoadDriver"
  for project in src/Kyperian.Api bench/BareEndpoint bench/LoadDriver; do
    dotnet build "$project" -c Release -nologo -v quiet -clp:ErrorsOnly >"$out/build.log" 2>&1 \
      || { cat "$out/build.log"; exit 1; }
  done
fi
api_dir="$root/src/Kyperian.Api/bin/Release/net10.0"
bare_dir="$root/bench/BareEndpoint/bin/Release/net10.0"
driver="$root/bench/LoadDriver/bin/Release/net10.0/LoadDriver.dll"

# --- process control -----------------------------------------------------------------------------------------
app_pid=
stop_app() {
  if [ -n "$app_pid" ] && kill -0 "$app_pid" 2>/dev/null; then
    kill -TERM "$app_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$app_pid" 2>/dev/null || true
    wait "$app_pid" 2>/dev/null || true
  fi
  app_pid=
}
# Local backends: a fresh redis-server and an in-memory dynalite per phase, so the tables hold only that phase.
redis_pid=; dynalite_pid=
stop_servers() {
  for pid in $redis_pid $dynalite_pid; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  redis_pid=; dynalite_pid=
}
wait_listening() { # name port pid
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then return 0; fi
    kill -0 "$3" 2>/dev/null || { echo "$1 exited while starting; see $out/$1.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "$1 did not listen on 127.0.0.1:$2 within 10 s" >&2; exit 1
}
start_servers() {
  [ "$backends" = local ] || return 0
  stop_servers
  for port in "$REDIS_PORT" "$DYNALITE_PORT"; do
    if port_busy "$port"; then echo "port $port is in use: set REDIS_PORT / DYNALITE_PORT" >&2; exit 2; fi
  done
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >"$out/redis.log" 2>&1 &
  redis_pid=$!
  wait_listening redis "$REDIS_PORT" "$redis_pid"
  scripts/servers/node_modules/.bin/dynalite --port "$DYNALITE_PORT" --host 127.0.0.1 \
    --createTableMs 0 --deleteTableMs 0 --updateTableMs 0 >"$out/dynalite.log" 2>&1 &
  dynalite_pid=$!
  wait_listening dynalite "$DYNALITE_PORT" "$dynalite_pid"
}
trap 'stop_app; stop_servers; rm -rf "${db_root:-/nonexistent}"' EXIT INT TERM

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# start_app NAME DIR DLL [ENV...]: runs the app from its output folder (its appsettings.json is the content root).
start_app() {
  local name=$1 dir=$2 dll=$3; shift 3
  if port_busy "$PORT"; then echo "port $PORT is in use: set PORT" >&2; exit 2; fi
  (cd "$dir" && exec env "$@" \
      ASPNETCORE_ENVIRONMENT=Production \
      Logging__LogLevel__Default=Warning Logging__LogLevel__Microsoft.AspNetCore=Warning \
      Logging__Console__FormatterName=simple \
      dotnet "$dll" --urls "http://127.0.0.1:$PORT") >"$out/$name.log" 2>&1 &
  app_pid=$!
  for _ in $(seq 1 300); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/health" 2>/dev/null; then return 0; fi
    kill -0 "$app_pid" 2>/dev/null || { echo "$name exited during start:"; tail -20 "$out/$name.log"; exit 1; }
    sleep 0.1
  done
  echo "$name did not answer /health within 30 s" >&2; tail -20 "$out/$name.log"; exit 1
}

# Embedded: a fresh database file per phase, so the store holds only that phase; removed at exit.
# SettleMilliseconds=0: the driver's alerts are random timeframes stamped "now", not the bar-close bursts of one
# trader, and every one is decided at once as an isolated alert is; the settle window is a wait by design, which
# webhook → decision latency does not measure.
db_root=$(mktemp -d ${DB_TMP:-/tmp}/kyperian-loadtest-XXXXXX)
start_kyperian() {
  start_servers
  start_app "$1" "$api_dir" Kyperian.Api.dll \
    Kyperian__Role=all "${backend_env[@]}" \
    Kyperian__Embedded__Path="$db_root/$1/kyperian.db" \
    Kyperian__Webhook__RateLimitPerSecond=0 \
    Kyperian__Engine__SettleMilliseconds=0 \
    Kyperian__Webhook__Passphrase="$PASSPHRASE" \
    Kyperian__Operator__ApiKey="$API_KEY"
}

# run_wrk NAME DURATION: drives /webhook with the alert mix; KYP_WRK_OUT gets the key=value summary.
run_wrk() {
  local name=$1 duration=$2
  run_tag=$((run_tag + 1))
  KYP_RUN=$run_tag KYP_WRK_OUT="$out/$name.wrk" KYP_PASSPHRASE="$PASSPHRASE" \
    timeout 600 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$duration" --timeout 5s \
      -s "$root/bench/loadtest/alerts.lua" "http://127.0.0.1:$PORT/webhook" >"$out/$name.stdout" 2>&1 \
    || { cat "$out/$name.stdout"; exit 1; }
}
run_tag=0
val() { sed -n "s/^$2=//p" "$1" | head -n 1; }

say "Kyperian load test — $(date -u +%Y-%m-%dT%H:%M:%SZ) — backends $backends"
say "machine: $(nproc) cores, $(free -h | awk '/^Mem:/ {print $2}') memory, $(uname -sr), dotnet $(dotnet --version)"
say "load before: $(uptime | sed 's/.*load average: //')"
say "wrk: $THREADS threads, $CONNECTIONS connections, $DURATION (after a $WARMUP warm-up); fixed rate: $RATE/s for ${RATE_SECONDS}s after ${RATE_WARMUP}s at that rate"
say ""

status=0
bare_rps=

# --- 1. baseline ---------------------------------------------------------------------------------------------
if [ "${SKIP_BARE:-}" != 1 ] && [ "${SKIP_WRK:-}" != 1 ]; then
  start_app bare "$bare_dir" BareEndpoint.dll
  run_wrk bare-warmup "$WARMUP"
  run_wrk bare "$DURATION"
  stop_app
  f="$out/bare.wrk"
  bare_rps=$(val "$f" rps)
  say "bare endpoint   : $(val "$f" rps) req/s, p50 $(val "$f" p50_ms) ms, p99 $(val "$f" p99_ms) ms, max $(val "$f" max_ms) ms; 202 $(val "$f" s202), 400 $(val "$f" s400), socket errors $(val "$f" socket_errors)"
fi

# --- 2. Kyperian under wrk -----------------------------------------------------------------------------------
if [ "${SKIP_WRK:-}" != 1 ]; then
  start_kyperian kyperian-wrk
  run_wrk app-warmup "$WARMUP"
  run_wrk app "$DURATION"
  f="$out/app.wrk"; w="$out/app-warmup.wrk"
  accepted=$(( $(val "$f" s202) + $(val "$w" s202) ))
  in_flight=$(( $(val "$f" sent) - $(val "$f" recv) + $(val "$w" sent) - $(val "$w" recv) ))
  printf '%s %s\n' "$(val "$w" samples)" "$(val "$f" samples)" >"$out/app.samples"
  say "kyperian /webhook: $(val "$f" rps) req/s, p50 $(val "$f" p50_ms) ms, p99 $(val "$f" p99_ms) ms, max $(val "$f" max_ms) ms, socket errors $(val "$f" socket_errors)"
  say "  statuses      : 202 $(val "$f" s202), 200 dup $(val "$f" s200), 400 $(val "$f" s400), 401 $(val "$f" s401), 413 $(val "$f" s413), 415 $(val "$f" s415), 429 $(val "$f" s429), 503 $(val "$f" s503), other 5xx $(val "$f" s5xx), other $(val "$f" sother)"
  if [ -n "$bare_rps" ]; then
    say "  vs bare       : $(awk -v a="$(val "$f" rps)" -v b="$bare_rps" 'BEGIN { printf "%.1f %%", 100 * a / b }') of the bare endpoint (same run)"
  fi
  timeout $(( DRAIN_SECONDS + 300 )) dotnet "$driver" verify --url "http://127.0.0.1:$PORT" --api-key "$API_KEY" \
      --accepted "$accepted" --in-flight "$in_flight" --samples-file "$out/app.samples" --drain-seconds "$DRAIN_SECONDS" "${verify_store[@]}" \
      --out "$out/app.verify" >/dev/null || status=1
  v="$out/app.verify"
  say "  store check   : 202s (warm-up + run) $accepted, stored signals $(val "$v" store_signals), decisions $(val "$v" store_decisions), in flight at stop $in_flight, unexplained extra $(val "$v" unexplained_extra_signals)"
  say "                  sampled ids $(val "$v" samples_checked): missing signal $(val "$v" samples_missing_signal), missing decision $(val "$v" samples_missing_decision); decision latency of samples p50 $(val "$v" sample_decision_latency_p50_ms) ms, p99 $(val "$v" sample_decision_latency_p99_ms) ms (saturated)"
  say "  LOST          : $(val "$v" lost)"
  [ "$(val "$f" s5xx)" = 0 ] || status=1
  stop_app
fi

# --- 3. fixed rate -------------------------------------------------------------------------------------------
if [ "${SKIP_RATE:-}" != 1 ]; then
  start_kyperian kyperian-rate
  timeout $(( RATE_WARMUP + RATE_SECONDS + DRAIN_SECONDS + 300 )) dotnet "$driver" rate --url "http://127.0.0.1:$PORT" --api-key "$API_KEY" \
      --passphrase "$PASSPHRASE" --rate "$RATE" --warmup "$RATE_WARMUP" --duration "$RATE_SECONDS" --drain-seconds "$DRAIN_SECONDS" "${verify_store[@]}" \
      --out "$out/rate.txt" --latencies-out "$out/rate-latencies.txt" >/dev/null || status=1
  r="$out/rate.txt"
  say "fixed rate      : target $(val "$r" target_rate)/s, achieved $(val "$r" achieved_rate)/s for ${RATE_WARMUP}s + ${RATE_SECONDS}s, $(val "$r" sent) sent"
  say "  statuses      : $(grep '^s[0-9_]' "$r" | tr '\n' ' ')"
  say "  http latency  : p50 $(val "$r" http_p50_ms) ms, p99 $(val "$r" http_p99_ms) ms, max $(val "$r" http_max_ms) ms (from each request's scheduled time)"
  say "                  p50 $(val "$r" service_p50_ms) ms, p99 $(val "$r" service_p99_ms) ms, max $(val "$r" service_max_ms) ms (from the send, without the driver's pacing lag)"
  say "                  p50 $(val "$r" steady_service_p50_ms) ms, p99 $(val "$r" steady_service_p99_ms) ms, p99.9 $(val "$r" steady_service_p999_ms) ms (from the send, the ${RATE_SECONDS}s measured)"
  say "  store check   : 202s $(val "$r" accepted) (unique $(val "$r" accepted_unique)), stored signals $(val "$r" store_signals), decisions $(val "$r" store_decisions); every id checked: missing signal $(val "$r" signals_missing), missing decision $(val "$r" decisions_missing)"
  say "                  stored without a 202 seen $(val "$r" stored_without_a_202_seen) (requests the driver timed out on), unexplained $(val "$r" unexplained_extra_signals)"
  say "  webhook→decision: p50 $(val "$r" decision_latency_p50_ms) ms, p99 $(val "$r" decision_latency_p99_ms) ms, max $(val "$r" decision_latency_max_ms) ms (decision latencyMs: receipt → decided; warm-up included)"
  say "                  p50 $(val "$r" steady_decision_latency_p50_ms) ms, p99 $(val "$r" steady_decision_latency_p99_ms) ms, max $(val "$r" steady_decision_latency_max_ms) ms (alerts of the ${RATE_SECONDS}s measured: the bar)"
  say "  LOST          : $(val "$r" lost)"
  stop_app
fi
stop_servers

say ""
say "load after: $(uptime | sed 's/.*load average: //')"
say "details: $out"
exit "$status"
