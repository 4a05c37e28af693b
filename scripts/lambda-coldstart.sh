#!/usr/bin/env bash
# Cold start of Kyperian on the Lambda runtime, measured locally: publishes Release (managed dotnet10 layout and
# the self-contained provided.al2023 `bootstrap`), then starts each as a real process RUNS times (default 10)
# against bench/LambdaRuntimeStub, a loopback Lambda Runtime API, and prints process start → first /next (init)
# and → first invocation response (a REST API POST /webhook through stage /Prod, expected 202), with the median.
#   scripts/lambda-coldstart.sh                 # both variants, 10 runs each
#   RUNS=20 VARIANT=bootstrap scripts/lambda-coldstart.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-10}
variant=${VARIANT:-both}
out=artifacts/lambda-coldstart
rm -rf "$out"

echo "== publish (Release)"
dotnet publish src/Kyperian.Api -c Release -o "$out/managed" --nologo -v quiet
if [ "$variant" != managed ]; then
  dotnet publish src/Kyperian.Api -c Release -p:LambdaBootstrap=true -o "$out/bootstrap" --nologo -v quiet
fi
dotnet build bench/LambdaRuntimeStub -c Release -o "$out/stub" --nologo -v quiet

# The Lambda role: endpoints only. Embedded backends, since this runs without AWS.
export Kyperian__Role=api
export Kyperian__Webhook__Passphrase=coldstart-passphrase
export Kyperian__Operator__ApiKey=coldstart-operator-key
export DOTNET_NOLOGO=1

if [ "$variant" != bootstrap ]; then
  echo "== managed runtime dotnet10 (dotnet Kyperian.Api.dll, framework-dependent)"
  dotnet "$out/stub/LambdaRuntimeStub.dll" --runs "$runs" --expect 202 -- dotnet "$out/managed/Kyperian.Api.dll"
fi
if [ "$variant" != managed ]; then
  echo "== provided.al2023 (bootstrap, self-contained linux-x64, ReadyToRun)"
  dotnet "$out/stub/LambdaRuntimeStub.dll" --runs "$runs" --expect 202 -- "$out/bootstrap/bootstrap"
fi
