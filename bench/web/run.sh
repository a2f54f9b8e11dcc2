#!/usr/bin/env bash
# Builds the web vault and the Release server, then measures a 3,000-item vault from "Log in"/"Unlock" to its list
# in headless Chromium (Debian's /usr/bin/chromium). Arguments go to the benchmark, e.g. bench/web/run.sh --runs 9
# Writes bench/results/web-unlock.md.
set -euo pipefail
cd "$(dirname "$0")/../.."

[ -x /usr/bin/chromium ] || { echo "Debian's chromium is missing: apt-get install -y chromium (./test.sh does this)" >&2; exit 1; }
(cd web && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run build)
dotnet build bench/web/Coffer.WebBench -c Release --nologo -v quiet
exec dotnet bench/web/Coffer.WebBench/bin/Release/net10.0/Coffer.WebBench.dll "$@"
