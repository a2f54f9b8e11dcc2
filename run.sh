#!/usr/bin/env bash
# The README's run command: builds Coffer (Release) and serves it on SQLite with nothing configured.
# Data (database, generated keys, self-signed TLS certificate) goes to ./data unless Coffer__DataFolder says otherwise.
# Extra arguments go to the server, e.g. ./run.sh --urls http://127.0.0.1:9000
set -euo pipefail
cd "$(dirname "$0")"

# The web vault (web/ → web/dist, copied beside the server binary by the build): rebuilt only when its sources
# changed, and its packages reinstalled only when package-lock.json changed.
build_web_vault() {
  local stamp=web/node_modules/.coffer-lock.sha256 lock_hash
  lock_hash="$(sha256sum web/package-lock.json | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
    (cd web && npm ci --ignore-scripts --no-audit --no-fund)
    echo "$lock_hash" >"$stamp"
  fi
  if [ ! -f web/dist/index.html ] || [ -n "$(find web/src web/index.html web/build.mjs web/package-lock.json src/Coffer.Client/Generators/eff_large_wordlist.txt -newer web/dist/index.html -print -quit)" ]; then
    (cd web && npm run build --silent)
  fi
}
build_web_vault
dotnet build src/Coffer.Server -c Release --nologo -v quiet
exec dotnet src/Coffer.Server/bin/Release/net10.0/coffer-server.dll "$@"
