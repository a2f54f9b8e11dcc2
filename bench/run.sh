#!/usr/bin/env bash
# Builds Release and runs the HTTP benchmark (and the BenchmarkDotNet micro benchmarks with --micro).
# Any other arguments go to the http subcommand, e.g. bench/run.sh --only sync-100,create --duration 20
set -euo pipefail
cd "$(dirname "$0")/.."

micro=false
http_args=()
for arg in "$@"; do
  if [[ "$arg" == "--micro" ]]; then micro=true; else http_args+=("$arg"); fi
done

dotnet build Coffer.slnx -c Release --nologo -v quiet
bench=bench/Coffer.Bench/bin/Release/net10.0/Coffer.Bench.dll
if [[ "${http_args[0]:-}" == "footprint" ]]; then
  # bench/run.sh footprint [--mixed-minutes 10]: the published server (ReadyToRun, as README's deployment publishes
  # it) against the bare ASP.NET Core app published the same way (bench/results/footprint-latest.md).
  dotnet publish src/Coffer.Server -c Release --nologo -v quiet -o bench/.publish/coffer-server
  dotnet publish bench/Coffer.Bare -c Release --nologo -v quiet -o bench/.publish/coffer-bare
  exec dotnet "$bench" "${http_args[@]}"
fi
if [[ "${http_args[0]:-}" == "files" ]]; then
  # bench/run.sh files [--postgres ADMIN_CONNECTION_STRING]: attachments against nginx (bench/results/files.md).
  exec dotnet "$bench" "${http_args[@]}"
fi
dotnet "$bench" http "${http_args[@]}"
if $micro; then
  dotnet "$bench" micro
fi
