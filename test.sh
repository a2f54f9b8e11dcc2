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

# The official Bitwarden CLI and SignalR client, pinned by tests/e2e/node/package-lock.json, that the e2e tests drive.
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

# Installs Debian packages that are missing, with one `apt-get update` per run; used by every install_* step that
# needs a system package (nginx here, chromium for the browser tests). Needs root, or sudo without a password.
APT_UPDATED=0
apt_install() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ "${#missing[@]}" -gt 0 ] || return 0
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
  command -v apt-get >/dev/null || fail "apt-get is missing; install ${missing[*]} by hand"
  if [ "$APT_UPDATED" -eq 0 ]; then
    "${sudo[@]}" apt-get update -q
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# The multi-node tests put their own nginx process in front of three Coffer nodes (a generated config, a free
# port on 127.0.0.1, `daemon off`); only the binary is needed. The package's own service is kept from starting,
# so installing it opens no port 80.
install_nginx() {
  step "nginx (load balancer for the multi-node tests)"
  if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
    # policy-rc.d answering 101 keeps Debian's maintainer scripts from starting the service at install time.
    local policy=/usr/sbin/policy-rc.d created_policy=0
    if [ "$(id -u)" -eq 0 ] && [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1
    fi
    apt_install nginx
    [ "$created_policy" -eq 0 ] || rm -f "$policy"
  fi
  PATH="$PATH:/usr/sbin"
  nginx -v 2>&1
}

# The tests' SMTP server (tests/Coffer.Testing/mailsink.py, started per test class by MailSink) runs on Debian's
# aiosmtpd with Debian's own python3: a python3 earlier on PATH (pyenv, a venv) does not see Debian's packages.
install_mail_sink() {
  step "SMTP test server (python3-aiosmtpd)"
  apt_install python3-aiosmtpd
  /usr/bin/python3 -c 'import aiosmtpd; print("aiosmtpd", aiosmtpd.__version__)' || fail "/usr/bin/python3 cannot import aiosmtpd"
}

# A throwaway PostgreSQL cluster for the server suite's second run and the multi-node tests, unless
# COFFER_TEST_POSTGRES already names one (an admin connection string). Built from the machine's PostgreSQL binaries
# (Debian: postgresql-15), owned by an unprivileged user (initdb refuses root), on 127.0.0.1 and a free port,
# removed when this script exits.
PG_FOLDER=""
PG_CTL=()
start_postgres() {
  step "PostgreSQL (throwaway cluster)"
  if [ -n "${COFFER_TEST_POSTGRES:-}" ]; then
    echo "using COFFER_TEST_POSTGRES from the environment"
    return
  fi
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)"
  if [ -z "$bin" ]; then
    apt_install postgresql-15 >/dev/null
    bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)"
  fi
  [ -x "$bin/initdb" ] || fail "PostgreSQL binaries not found (apt-get install postgresql-15), or set COFFER_TEST_POSTGRES"
  local as=()
  local user
  user="$(id -un)"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    as=(runuser -u postgres --)
    user=postgres
  fi
  PG_CTL=("${as[@]}" "$bin/pg_ctl")
  PG_FOLDER="$(mktemp -d /tmp/coffer-pg.XXXXXX)"
  chown "$user" "$PG_FOLDER"
  trap stop_databases EXIT
  local port
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  "${as[@]}" "$bin/initdb" -D "$PG_FOLDER/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$PG_FOLDER/initdb.log" \
    || fail "initdb failed: $(cat "$PG_FOLDER/initdb.log")"
  # Trust authentication is safe here: only 127.0.0.1 and a socket in the private temp folder are listened on.
  "${as[@]}" "$bin/pg_ctl" -D "$PG_FOLDER/data" -l "$PG_FOLDER/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$PG_FOLDER -c max_connections=300" start >/dev/null \
    || fail "PostgreSQL did not start: $(cat "$PG_FOLDER/server.log")"
  "$bin/pg_isready" -h 127.0.0.1 -p "$port" -t 30 >/dev/null || fail "PostgreSQL is not accepting connections"
  export COFFER_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($PG_FOLDER)"
}

stop_postgres() {
  if [ -n "$PG_FOLDER" ] && [ -d "$PG_FOLDER" ]; then
    "${PG_CTL[@]}" -D "$PG_FOLDER/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_FOLDER"
  fi
}

# A throwaway MariaDB server for the server suite's third run and the multi-node tests on MySQL, unless
# COFFER_TEST_MYSQL already names one (an admin connection string). Debian 12's mariadb-server (10.11) is installed
# when missing, with its own service kept from starting; this server runs from a temp folder as the unprivileged
# mysql user, on 127.0.0.1 and a free port, and is removed when this script exits.
MY_FOLDER=""
MY_PID=""
start_mariadb() {
  step "MariaDB (throwaway server)"
  if [ -n "${COFFER_TEST_MYSQL:-}" ]; then
    echo "using COFFER_TEST_MYSQL from the environment"
    return
  fi
  if [ ! -x /usr/sbin/mariadbd ]; then
    local policy=/usr/sbin/policy-rc.d created_policy=0
    if [ "$(id -u)" -eq 0 ] && [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1
    fi
    apt_install mariadb-server >/dev/null
    [ "$created_policy" -eq 0 ] || rm -f "$policy"
  fi
  [ -x /usr/sbin/mariadbd ] || fail "MariaDB binaries not found (apt-get install mariadb-server), or set COFFER_TEST_MYSQL"
  local as=() user
  user="$(id -un)"
  if [ "$(id -u)" -eq 0 ]; then
    id mysql >/dev/null 2>&1 || useradd --system --no-create-home mysql
    as=(runuser -u mysql --)
    user=mysql
  fi
  MY_FOLDER="$(mktemp -d /tmp/coffer-mariadb.XXXXXX)"
  chown "$user" "$MY_FOLDER"
  trap stop_databases EXIT
  local port
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  # root without a password is safe here: only 127.0.0.1 and a socket in the private temp folder are listened on.
  "${as[@]}" mariadb-install-db --no-defaults --datadir="$MY_FOLDER/data" --auth-root-authentication-method=normal \
    --skip-test-db >"$MY_FOLDER/install.log" 2>&1 || fail "mariadb-install-db failed: $(cat "$MY_FOLDER/install.log")"
  # innodb_flush_log_at_trx_commit=2 and no doublewrite: a test server needs no crash durability (as fsync=off would be).
  "${as[@]}" /usr/sbin/mariadbd --no-defaults --datadir="$MY_FOLDER/data" --socket="$MY_FOLDER/mysqld.sock" \
    --pid-file="$MY_FOLDER/mysqld.pid" --bind-address=127.0.0.1 --port="$port" --max-connections=1000 \
    --innodb-flush-log-at-trx-commit=2 --innodb-doublewrite=0 --skip-name-resolve >"$MY_FOLDER/server.log" 2>&1 &
  MY_PID=$!
  local i
  for i in $(seq 1 60); do
    mariadb-admin --no-defaults -h 127.0.0.1 -P "$port" -u root ping >/dev/null 2>&1 && break
    kill -0 "$MY_PID" 2>/dev/null || fail "MariaDB did not start: $(cat "$MY_FOLDER/server.log")"
    sleep 1
  done
  mariadb-admin --no-defaults -h 127.0.0.1 -P "$port" -u root ping >/dev/null 2>&1 || fail "MariaDB is not accepting connections"
  export COFFER_TEST_MYSQL="Server=127.0.0.1;Port=$port;User ID=root"
  echo "MariaDB $(/usr/sbin/mariadbd --version | awk '{print $3}') on 127.0.0.1:$port ($MY_FOLDER)"
}

stop_mariadb() {
  if [ -n "$MY_PID" ]; then
    kill "$MY_PID" 2>/dev/null || true
    wait "$MY_PID" 2>/dev/null || true
  fi
  if [ -n "$MY_FOLDER" ] && [ -d "$MY_FOLDER" ]; then
    rm -rf "$MY_FOLDER"
  fi
}

stop_databases() {
  stop_postgres
  stop_mariadb
}

# Debian's chromium for the browser tests and bench/web, driven through Playwright's bundled driver. The tests never
# download a browser: this package is the only one they run.
CHROMIUM=/usr/bin/chromium
install_chromium() {
  step "Chromium ($CHROMIUM)"
  if [ ! -x "$CHROMIUM" ]; then
    apt_install chromium
  fi
  "$CHROMIUM" --version || fail "$CHROMIUM does not start"
}

# The web vault: installed from its lock file, built into web/dist (which the server build copies beside the
# binary) and its own tests run (crypto known-answer vectors shared with Coffer.Protocol and Coffer.Client, importers, generator).
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
  # Facts that hold on some databases only carry a Provider trait (tests/Coffer.Server.Tests/Infrastructure/
  # TestDatabase.cs): each pass filters out the others' facts instead of skipping them. Here: PostgreSQL-only,
  # MySQL-only and database-server-only facts (concurrent transactions, advisory locks), which run below.
  dotnet test "$ROOT/Coffer.slnx" -c "$CONFIGURATION" --no-build --filter "Provider!=PostgresOnly&Provider!=MySqlOnly&Provider!=SharedOnly" \
    --logger "console;verbosity=normal" --logger trx --results-directory "$RESULTS_DIR" \
    --blame-hang-timeout 15m || TEST_EXIT=$?
  # The same server suite again on PostgreSQL (each test server gets its own fresh database in the cluster).
  # SQLite-only facts (the database file on disk) and MySQL-only facts are filtered out here rather than skipped.
  step "dotnet test tests/Coffer.Server.Tests on PostgreSQL"
  COFFER_TEST_PROVIDER=postgres dotnet test "$ROOT/tests/Coffer.Server.Tests" -c "$CONFIGURATION" --no-build \
    --filter "Provider!=SqliteOnly&Provider!=MySqlOnly" \
    --logger "console;verbosity=normal" --logger "trx;LogFileName=Coffer.Server.Tests.postgres.trx" \
    --results-directory "$RESULTS_DIR" --blame-hang-timeout 15m || TEST_EXIT=$?
  # And a third time on MariaDB (each test server gets its own fresh database on the throwaway server).
  step "dotnet test tests/Coffer.Server.Tests on MariaDB"
  COFFER_TEST_PROVIDER=mysql dotnet test "$ROOT/tests/Coffer.Server.Tests" -c "$CONFIGURATION" --no-build \
    --filter "Provider!=SqliteOnly&Provider!=PostgresOnly" \
    --logger "console;verbosity=normal" --logger "trx;LogFileName=Coffer.Server.Tests.mysql.trx" \
    --results-directory "$RESULTS_DIR" --blame-hang-timeout 15m || TEST_EXIT=$?
  # The multi-node e2e tests (three nodes behind nginx, `bw` and hub clients through them) once more on MariaDB,
  # where the nodes pass live-sync notifications through a polled table instead of NOTIFY.
  step "dotnet test tests/e2e/Coffer.E2E.Tests (cluster) on MariaDB"
  COFFER_TEST_PROVIDER=mysql dotnet test "$ROOT/tests/e2e/Coffer.E2E.Tests" -c "$CONFIGURATION" --no-build \
    --filter "FullyQualifiedName~Coffer.E2E.Tests.Cluster.MultiNodeTests|FullyQualifiedName~Coffer.E2E.Tests.Cluster.BwSendClusterTests|FullyQualifiedName~Coffer.E2E.Tests.Faults.ClusterNodeKillTests" \
    --logger "console;verbosity=normal" --logger "trx;LogFileName=Coffer.E2E.Tests.mysql.trx" \
    --results-directory "$RESULTS_DIR" --blame-hang-timeout 15m || TEST_EXIT=$?
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
    case "$(basename "$trx")" in *postgres*) assembly="$assembly on PostgreSQL" ;; *mysql*) assembly="$assembly on MariaDB" ;; esac
    echo "  ${assembly:-(a project with no tests)}: $(counter "$counters" passed) passed, $(counter "$counters" failed) failed of $(counter "$counters" total)"
  done
  local not_run=$((total - executed))
  [ "$failed" -eq 0 ] || list_failures "$RESULTS_DIR"/*.trx
  echo "Tests: $passed passed, $failed failed, $not_run skipped"
  [ "$files" -gt 0 ] || fail "no test results were written to $RESULTS_DIR"
  [ "$executed" -gt 0 ] || fail "no test was executed"
  [ "$TEST_EXIT" -eq 0 ] || fail "dotnet test exited with $TEST_EXIT"
  [ "$failed" -eq 0 ] || fail "$failed test(s) failed"
  [ "$not_run" -eq 0 ] || fail "$not_run test(s) did not run; Coffer's tests are never skipped"
  echo "All $passed tests passed."
}

# Names every failed test of the given TRX files with the first lines of its message, so that the end of the log
# (often all a CI report keeps) says what failed.
list_failures() {
  python3 - "$@" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for path in sys.argv[1:]:
    for result in ET.parse(path).getroot().iterfind(".//t:UnitTestResult[@outcome='Failed']", ns):
        print(f"  FAILED {result.get('testName')} ({path.rsplit('/', 1)[-1]})")
        message = result.findtext(".//t:Message", default="", namespaces=ns).strip().splitlines()
        for line in message[:6]:
            print(f"      {line[:300]}")
PY
}

counter() { sed -n "s/.* $2=\"\([0-9]*\)\".*/\1/p" <<<"$1" | grep . || echo 0; }

main() {
  cd "$ROOT"
  check_toolchain
  install_bw_cli
  install_nginx
  install_chromium
  install_mail_sink
  start_postgres
  start_mariadb
  build_web_vault
  build_solution
  run_tests
  summarize
}

main "$@"
