#!/usr/bin/env bash
# The README's run command: builds Coffer (Release) and serves it on SQLite with nothing configured.
# Data (database, generated keys, self-signed TLS certificate) goes to ./data unless Coffer__DataFolder says otherwise.
# Extra arguments go to the server, e.g. ./run.sh --urls http://127.0.0.1:9000
set -euo pipefail
cd "$(dirname "$0")"
dotnet build src/Coffer.Server -c Release --nologo -v quiet
exec dotnet src/Coffer.Server/bin/Release/net10.0/coffer-server.dll "$@"
