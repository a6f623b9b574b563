#!/usr/bin/env bash
# Runs every test of the product: installs what the tests need when it can (nftables and iproute2 for the
# network-namespace tests, PostgreSQL for the throwaway clusters of the PostgreSQL tests), builds the solution once, then runs each test project.
#
#   tests/run.sh                 # everything
#   tests/run.sh --filter-class '*RestartSafety*'   # extra arguments go to each test run
#
# As root, the namespace and nftables tests run for real. Without root they skip with a reason; with CI=true a
# missing prerequisite fails them instead (CI must never pass by skipping).
#
# During the tests 127.0.0.1:5080 (the product's default port) is held by a small listener, or by a server the user
# already runs there: a test that binds the product's port fails here at once instead of only on a machine where
# the server happens to run.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

install_prerequisites() {
  local missing=()
  command -v nft >/dev/null 2>&1 || [ -x /usr/sbin/nft ] || missing+=(nftables)
  command -v ip >/dev/null 2>&1 || [ -x /usr/sbin/ip ] || missing+=(iproute2)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
  if [ ${#missing[@]} -eq 0 ]; then
    return
  fi
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "note: ${missing[*]} missing and cannot be installed here (not root or no apt-get); those tests will skip" >&2
  fi
}

# The product's port: no test may use it, so it is held during the run.
readonly PRODUCT_PORT=5080

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$PRODUCT_PORT") 2>/dev/null; }

occupy_product_port() {
  if port_taken; then
    echo "127.0.0.1:$PRODUCT_PORT is already in use (a server of yours?): tests must not need it, so that is fine"
    return
  fi
  if command -v python3 >/dev/null 2>&1; then
    python3 -c "import socket, time
s = socket.socket(); s.bind(('127.0.0.1', $PRODUCT_PORT)); s.listen()
while True: time.sleep(3600)" &
  elif command -v perl >/dev/null 2>&1; then
    perl -MIO::Socket::INET -e "my \$s = IO::Socket::INET->new(LocalAddr => '127.0.0.1:$PRODUCT_PORT', Listen => 16) or die \$!; sleep" &
  else
    echo "neither python3 nor perl is here to hold 127.0.0.1:$PRODUCT_PORT during the tests" >&2
    exit 1
  fi
  port_holder=$!
  trap 'kill "$port_holder" 2>/dev/null || true' EXIT
  for _ in $(seq 50); do
    port_taken && { echo "holding 127.0.0.1:$PRODUCT_PORT during the tests (pid $port_holder)"; return; }
    sleep 0.1
  done
  echo "could not hold 127.0.0.1:$PRODUCT_PORT during the tests" >&2
  exit 1
}

install_prerequisites
export PATH="$PATH:/usr/sbin:/sbin"

log "build"
dotnet build Orchestrator.sln -c Release -nologo -clp:ErrorsOnly

# The Windows agent cannot run here; publishing it proves that it builds for Windows.
log "publish the agent for win-x64"
dotnet publish src/Orchestrator.Agent -c Release -r win-x64 --self-contained false -nologo -clp:ErrorsOnly -o artifacts/agent-win-x64
test -f artifacts/agent-win-x64/orchestrator-agent.exe
echo "artifacts/agent-win-x64/orchestrator-agent.exe: $(stat -c %s artifacts/agent-win-x64/orchestrator-agent.exe) bytes"

results=$(mktemp -d)
log "test"
occupy_product_port
set +e
# One test module at a time: the end-to-end and restart tests measure latencies and start real processes, and
# the machine has two cores.
dotnet test --solution Orchestrator.sln -c Release --no-build --max-parallel-test-modules 1 \
  --results-directory "$results" "$@" 2>&1 | tee "$results/output.log"
status=${PIPESTATUS[0]}
set -e

# A benchmark that no longer runs is a bug: run each benchmark program at a small smoke size. The figures in
# docs/benchmarks.md and docs/reports.md come from full-size runs by hand; these runs only prove the programs work.
log "benchmark smoke runs"
smoke_status=0
dotnet tests/Orchestrator.Benchmarks/bin/Release/net10.0/Orchestrator.Benchmarks.dll \
  --endpoints 50 --rows 500 --repeat 1 || smoke_status=$?
timeout --signal=TERM --kill-after=30 300 dotnet tests/Orchestrator.LoadHarness/bin/Release/net10.0/load-harness.dll 20 \
  --group-size 10 --open-seconds 10 --settle-seconds 1 --ingest-seconds 2 --ingest-senders 2 --warm-up-seconds 5 \
  --warm-up-cidr 198.18.0.0/29 --timeout 240 --server src/Orchestrator.Server/bin/Release/net10.0/Orchestrator.Server.dll || smoke_status=$?
# Two nodes on a throwaway PostgreSQL, one of them killed mid-window (needs PostgreSQL, installed above).
timeout --signal=TERM --kill-after=30 300 dotnet tests/Orchestrator.LoadHarness/bin/Release/net10.0/load-harness.dll 200 \
  --nodes 2 --group-size 100 --open-seconds 20 --settle-seconds 1 --ingest-seconds 2 --ingest-senders 4 --timeout 240 \
  --server src/Orchestrator.Server/bin/Release/net10.0/Orchestrator.Server.dll || smoke_status=$?
if [ "$smoke_status" -ne 0 ]; then
  echo "benchmark smoke runs failed (exit $smoke_status)" >&2
  [ "$status" -ne 0 ] || status=$smoke_status
fi

# The failed tests again, with their first lines, so that the end of the log (all some CI views show) names them.
if grep -q -E '^failed ' "$results/output.log"; then
  printf '\nfailed tests (the full output is above):\n'
  grep -A 8 -E '^failed ' "$results/output.log" | grep -v -E '^\s+--- End of stack' | cut -c1-300 | head -60
fi

# One plain closing line for CI: "N passed, N failed, N skipped".
total_of() { grep -E "^\s+$1: [0-9]+" "$results/output.log" | tail -1 | grep -oE '[0-9]+' || echo 0; }
printf '\ntests: %s passed, %s failed, %s skipped\n' "$(total_of succeeded)" "$(total_of failed)" "$(total_of skipped)"
exit "$status"
