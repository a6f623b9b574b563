#!/usr/bin/env bash
# Runs every test of the product: installs what the tests need when it can (nftables and iproute2 for the
# network-namespace tests), builds the solution once, then runs each test project.
#
#   tests/run.sh                 # everything
#   tests/run.sh --filter-class '*RestartSafety*'   # extra arguments go to each test run
#
# As root, the namespace and nftables tests run for real. Without root they skip with a reason; with CI=true a
# missing prerequisite fails them instead (CI must never pass by skipping).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

install_prerequisites() {
  local missing=()
  command -v nft >/dev/null 2>&1 || [ -x /usr/sbin/nft ] || missing+=(nftables)
  command -v ip >/dev/null 2>&1 || [ -x /usr/sbin/ip ] || missing+=(iproute2)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
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
  --group-size 10 --open-seconds 10 --settle-seconds 1 --ingest-seconds 2 --ingest-senders 2 --timeout 240 \
  --server src/Orchestrator.Server/bin/Release/net10.0/Orchestrator.Server.dll || smoke_status=$?
if [ "$smoke_status" -ne 0 ]; then
  echo "benchmark smoke runs failed (exit $smoke_status)" >&2
  [ "$status" -ne 0 ] || status=$smoke_status
fi

# One plain closing line for CI: "N passed, N failed, N skipped".
total_of() { grep -E "^\s+$1: [0-9]+" "$results/output.log" | tail -1 | grep -oE '[0-9]+' || echo 0; }
printf '\ntests: %s passed, %s failed, %s skipped\n' "$(total_of succeeded)" "$(total_of failed)" "$(total_of skipped)"
exit "$status"
