#!/usr/bin/env bash
# Cold start: process start → first 200 from GET /health, Release, ReadyToRun, median of RUNS.
#
# Publishes src/Kyperian.Api framework-dependent for linux-x64 with ReadyToRun, then RUNS times: starts the
# published apphost (role all, embedded backends, Production with a passphrase and operator key set, logging at
# Warning), polls /health with bash's own /dev/tcp (no process spawned per poll, so the poller barely competes
# with the starting app for the 2 cores) every ~2 ms, and records the ms from just before the process was
# launched to the first 200. Prints each run and the median.
#
# Environment: RUNS [10]  PORT [5990]  NO_PUBLISH=1  COMPARE_JIT=1 (also measure a publish without ReadyToRun)
# Results: printed, and written to artifacts/coldstart/summary.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

RUNS=${RUNS:-10}
PORT=${PORT:-5990}
out="$root/artifacts/coldstart"
mkdir -p "$out"
summary="$out/summary.txt"
: >"$summary"
say() { echo "$*" | tee -a "$summary"; }

publish() {
  local dir=$1; shift
  if [ "${NO_PUBLISH:-}" != 1 ] || [ ! -x "$dir/Kyperian.Api" ]; then
    rm -rf "$dir"
    dotnet publish src/Kyperian.Api -c Release -r linux-x64 --self-contained false "$@" \
      -o "$dir" -nologo -v quiet -clp:ErrorsOnly >"$out/publish.log" 2>&1 || { cat "$out/publish.log"; exit 1; }
  fi
}

app_pid=
stop_app() {
  if [ -n "$app_pid" ] && kill -0 "$app_pid" 2>/dev/null; then
    kill -TERM "$app_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$app_pid" 2>/dev/null || true
  fi
  [ -z "$app_pid" ] || wait "$app_pid" 2>/dev/null || true
  app_pid=
}
trap stop_app EXIT INT TERM

# health_ok: one GET /health over bash's /dev/tcp; true on a 200.
health_ok() {
  local line
  { exec 3<>"/dev/tcp/127.0.0.1/$PORT"; } 2>/dev/null || return 1
  printf 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3 2>/dev/null || { exec 3<&- 3>&-; return 1; }
  IFS= read -r -t 2 line <&3 || line=
  exec 3<&- 3>&-
  [[ "$line" == "HTTP/1.1 200"* ]]
}

# pause: ~2 ms without spawning sleep (read times out on a descriptor that never delivers).
exec 4<> <(:)
pause() { read -r -t 0.002 -u 4 _ 2>/dev/null || true; }

# measure DIR LABEL: RUNS cold starts of DIR/Kyperian.Api; prints each and the median.
measure() {
  local dir=$1 label=$2 times=() i start end ms
  for i in $(seq 1 "$RUNS"); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then echo "port $PORT is in use: set PORT" >&2; exit 2; fi
    sync; sleep 0.5
    start=$EPOCHREALTIME
    env ASPNETCORE_ENVIRONMENT=Production Kyperian__Role=all \
      Kyperian__Store=embedded Kyperian__Bus=embedded Kyperian__State=embedded \
      Kyperian__Webhook__Passphrase=coldstart-passphrase Kyperian__Operator__ApiKey=coldstart-key \
      Logging__LogLevel__Default=Warning Logging__LogLevel__Microsoft.AspNetCore=Warning \
      "$dir/Kyperian.Api" --urls "http://127.0.0.1:$PORT" --contentRoot "$dir" >"$out/run-$label-$i.log" 2>&1 &
    app_pid=$!
    end=
    while :; do
      if health_ok; then end=$EPOCHREALTIME; break; fi
      kill -0 "$app_pid" 2>/dev/null || { echo "the app exited during start:"; cat "$out/run-$label-$i.log"; exit 1; }
      if (( $(awk -v s="$start" -v n="$EPOCHREALTIME" 'BEGIN { print (n - s > 30) }') )); then
        echo "no 200 from /health within 30 s" >&2; exit 1
      fi
      pause
    done
    ms=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", (e - s) * 1000 }')
    times+=("$ms")
    say "  $label run $i: $ms ms"
    stop_app
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.0f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
  say "$label: median $median ms over $RUNS runs (min $(printf '%s\n' "${times[@]}" | sort -n | head -1), max $(printf '%s\n' "${times[@]}" | sort -n | tail -1))"
}

say "Kyperian cold start — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
say "machine: $(nproc) cores, $(free -h | awk '/^Mem:/ {print $2}') memory, $(uname -sr), dotnet $(dotnet --version); load $(uptime | sed 's/.*load average: //')"

echo "publishing Release, ReadyToRun, linux-x64, framework-dependent"
publish "$out/publish-r2r" -p:PublishReadyToRun=true
measure "$out/publish-r2r" ReadyToRun

if [ "${COMPARE_JIT:-}" = 1 ]; then
  echo "publishing Release without ReadyToRun (comparison)"
  publish "$out/publish-jit" -p:PublishReadyToRun=false
  measure "$out/publish-jit" JIT-only
fi

say "load after: $(uptime | sed 's/.*load average: //')"
