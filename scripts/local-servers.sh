#!/usr/bin/env bash
# Starts redis-server and dynalite on loopback for running Kyperian against real backends, and prints the settings.
#
#   eval "$(scripts/local-servers.sh start)"      # start both, export the settings into this shell
#   dotnet run --project src/Kyperian.Api          # role all, Store=dynamodb, State=redis
#   scripts/local-servers.sh stop                  # stop both
#
#   scripts/local-servers.sh env                   # print the settings again
#
# The tables are created by the app at start (Kyperian:DynamoDb:CreateTables=true, printed below), from the same
# schema the tests use; in AWS the template owns them. dynalite keeps its data in artifacts/local-servers/dynalite.
# Ports: KYPERIAN_REDIS_PORT (6380) and KYPERIAN_DYNALITE_PORT (4567). Progress goes to stderr, settings to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
state="$root/artifacts/local-servers"
redis_port="${KYPERIAN_REDIS_PORT:-6380}"
dynalite_port="${KYPERIAN_DYNALITE_PORT:-4567}"

say() { echo "$*" >&2; }

settings() {
  cat <<ENV
export Kyperian__Store=dynamodb
export Kyperian__State=redis
export Kyperian__DynamoDb__ServiceUrl=http://127.0.0.1:${dynalite_port}
export Kyperian__DynamoDb__Region=us-east-1
export Kyperian__DynamoDb__CreateTables=true
export Kyperian__DynamoDb__SignalsTable=kyperian-local-signals
export Kyperian__DynamoDb__DecisionsTable=kyperian-local-decisions
export Kyperian__Redis__Host=127.0.0.1
export Kyperian__Redis__Port=${redis_port}
export AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=\${AWS_ACCESS_KEY_ID:-local}
export AWS_SECRET_ACCESS_KEY=\${AWS_SECRET_ACCESS_KEY:-local}
ENV
}

wait_port() { # name port pidfile
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then return 0; fi
    if ! kill -0 "$(cat "$3")" 2>/dev/null; then say "$1 exited while starting; see $state/$1.log"; return 1; fi
    sleep 0.1
  done
  say "$1 did not listen on 127.0.0.1:$2 within 10 s; see $state/$1.log"
  return 1
}

running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
  mkdir -p "$state/dynalite"
  local redis_server dynalite
  redis_server="${KYPERIAN_REDIS_SERVER:-$(command -v redis-server || true)}"
  [ -n "$redis_server" ] || { say "redis-server is not installed (apt-get install redis-server, or run scripts/test.sh)"; exit 1; }
  dynalite="${KYPERIAN_DYNALITE:-$root/scripts/servers/node_modules/.bin/dynalite}"
  if [ ! -x "$dynalite" ]; then
    say "installing dynalite (npm, pinned in scripts/servers/package-lock.json)"
    (cd scripts/servers && npm ci --no-audit --no-fund --loglevel=error) >&2
  fi

  if running "$state/redis.pid"; then
    say "redis-server already running (pid $(cat "$state/redis.pid"))"
  else
    "$redis_server" --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
      >"$state/redis.log" 2>&1 &
    echo $! >"$state/redis.pid"
    wait_port redis "$redis_port" "$state/redis.pid"
    say "redis-server on 127.0.0.1:$redis_port (pid $(cat "$state/redis.pid"))"
  fi

  if running "$state/dynalite.pid"; then
    say "dynalite already running (pid $(cat "$state/dynalite.pid"))"
  else
    "$dynalite" --port "$dynalite_port" --host 127.0.0.1 --path "$state/dynalite" \
      --createTableMs 0 --deleteTableMs 0 --updateTableMs 0 >"$state/dynalite.log" 2>&1 &
    echo $! >"$state/dynalite.pid"
    wait_port dynalite "$dynalite_port" "$state/dynalite.pid"
    say "dynalite on 127.0.0.1:$dynalite_port (pid $(cat "$state/dynalite.pid")), data in $state/dynalite"
  fi

  settings
}

stop() {
  for name in redis dynalite; do
    if running "$state/$name.pid"; then
      kill "$(cat "$state/$name.pid")" && say "stopped $name"
    fi
    rm -f "$state/$name.pid"
  done
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  env) settings ;;
  *) say "usage: $0 [start|stop|env]"; exit 2 ;;
esac
