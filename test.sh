#!/usr/bin/env bash
# Coffer's test command, as the README gives it: ./test.sh
#
# On a fresh Debian 12 machine with the .NET 10 SDK and Node.js it installs what the tests need, builds the
# solution and runs every test project, the end-to-end tests against the real server and the official `bw` CLI
# included. It is safe to run again: each step checks what is already in place.
#
# Each step is one function called from main() at the bottom; a new prerequisite (Debian packages such as
# chromium, a throwaway PostgreSQL cluster) becomes one more function called there, before build_solution.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CONFIGURATION="${CONFIGURATION:-Release}"
RESULTS_DIR="$ROOT/artifacts/test-results"
BW_FOLDER="$ROOT/tests/e2e/node"
BW_VERSION="2026.9.0"
MIN_NODE_MAJOR=20

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

step() { printf '\n==> %s\n' "$*"; }
fail() { printf '\nFAILED: %s\n' "$*" >&2; exit 1; }

check_toolchain() {
  step "Toolchain"
  command -v dotnet >/dev/null || fail "dotnet is not on PATH (the .NET 10 SDK is required)"
  command -v node >/dev/null || fail "node is not on PATH (Node.js >= $MIN_NODE_MAJOR is required for the bw CLI)"
  command -v npm >/dev/null || fail "npm is not on PATH"
  local node_major
  node_major="$(node -p 'process.versions.node.split(".")[0]')"
  [ "$node_major" -ge "$MIN_NODE_MAJOR" ] || fail "node $(node --version) is too old; need >= $MIN_NODE_MAJOR"
  echo "dotnet $(dotnet --version), node $(node --version), npm $(npm --version 2>/dev/null)"
}

# The official Bitwarden CLI, pinned by tests/e2e/node/package-lock.json, that the e2e tests drive.
install_bw_cli() {
  step "Bitwarden CLI $BW_VERSION (tests/e2e/node)"
  local stamp="$BW_FOLDER/node_modules/.coffer-lock.sha256"
  local lock_hash
  lock_hash="$(sha256sum "$BW_FOLDER/package-lock.json" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_hash" ]; then
    echo "already installed from the current package-lock.json"
  else
    # npm ci installs exactly the lock file. --ignore-scripts: the CLI needs no install script (its only
    # dependency with one, core-js, prints a banner). @bitwarden/cli declares node >= 22 but runs on 20;
    # the tests below are what prove that.
    (cd "$BW_FOLDER" && npm ci --ignore-scripts --no-audit --no-fund)
    echo "$lock_hash" >"$stamp"
  fi
  local installed
  installed="$(node "$BW_FOLDER/node_modules/@bitwarden/cli/build/bw.js" --version)"
  [ "$installed" = "$BW_VERSION" ] || fail "bw --version printed '$installed', expected $BW_VERSION"
  echo "bw $installed"
}

# Debian's chromium for the browser tests and bench/web, driven through Playwright's bundled driver. The tests never
# download a browser: this package is the only one they run.
CHROMIUM=/usr/bin/chromium
install_chromium() {
  step "Chromium ($CHROMIUM)"
  if [ ! -x "$CHROMIUM" ]; then
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y chromium
  fi
  "$CHROMIUM" --version || fail "$CHROMIUM does not start"
}

# The web vault: installed from its lock file, built into web/dist (which the server build copies beside the
# binary) and its own tests run (crypto known-answer vectors shared with Coffer.Core, importers, generator).
# Their results are not in the TRX summary, but a failure stops the run here.
build_web_vault() {
  step "Web vault (web/): npm ci, npm run build, npm test"
  (cd "$ROOT/web" && npm ci --ignore-scripts --no-audit --no-fund && npm run build && npm test) || fail "the web vault did not build or its tests failed"
  sha256sum "$ROOT/web/package-lock.json" | cut -d' ' -f1 >"$ROOT/web/node_modules/.coffer-lock.sha256"
}

build_solution() {
  step "dotnet build Coffer.slnx -c $CONFIGURATION"
  dotnet build "$ROOT/Coffer.slnx" -c "$CONFIGURATION"
}

TEST_EXIT=0
run_tests() {
  step "dotnet test Coffer.slnx -c $CONFIGURATION --no-build"
  rm -rf "$RESULTS_DIR"
  # A hung child process (server, bw, coffer) ends the run with a dump instead of eating CI's time budget.
  dotnet test "$ROOT/Coffer.slnx" -c "$CONFIGURATION" --no-build \
    --logger "console;verbosity=normal" --logger trx --results-directory "$RESULTS_DIR" \
    --blame-hang-timeout 15m || TEST_EXIT=$?
}

# Adds up the counters of every project's TRX file into one closing line.
summarize() {
  step "Summary"
  local total=0 passed=0 failed=0 executed=0 files=0 trx
  shopt -s nullglob
  for trx in "$RESULTS_DIR"/*.trx; do
    files=$((files + 1))
    local counters
    counters="$(grep -o '<Counters [^>]*>' "$trx")"
    total=$((total + $(counter "$counters" total)))
    executed=$((executed + $(counter "$counters" executed)))
    passed=$((passed + $(counter "$counters" passed)))
    failed=$((failed + $(counter "$counters" failed)))
    local assembly
    assembly="$(grep -o -m1 'storage="[^"]*"' "$trx" | sed 's/.*\/\([^/]*\)"$/\1/' || true)"
    echo "  ${assembly:-(a project with no tests)}: $(counter "$counters" passed) passed, $(counter "$counters" failed) failed of $(counter "$counters" total)"
  done
  local not_run=$((total - executed))
  echo "Tests: $passed passed, $failed failed, $not_run skipped"
  [ "$files" -gt 0 ] || fail "no test results were written to $RESULTS_DIR"
  [ "$executed" -gt 0 ] || fail "no test was executed"
  [ "$TEST_EXIT" -eq 0 ] || fail "dotnet test exited with $TEST_EXIT"
  [ "$failed" -eq 0 ] || fail "$failed test(s) failed"
  [ "$not_run" -eq 0 ] || fail "$not_run test(s) did not run; Coffer's tests are never skipped"
  echo "All $passed tests passed."
}

counter() { sed -n "s/.* $2=\"\([0-9]*\)\".*/\1/p" <<<"$1" | grep . || echo 0; }

main() {
  cd "$ROOT"
  check_toolchain
  install_bw_cli
  install_chromium
  build_web_vault
  build_solution
  run_tests
  summarize
}

main "$@"
