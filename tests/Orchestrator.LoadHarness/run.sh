#!/usr/bin/env bash
# Usage: tests/Orchestrator.LoadHarness/run.sh AGENTS [harness options, e.g. --group-size 100 --label after]
# --hold-connected-seconds N pauses N s after the "connected" figure (prints the server pid) to attach dotnet-gcdump
# or read /proc/PID/smaps; --keep-data true keeps the data directory and server.log.
# --warm-up-seconds N opens and closes a window of N s first and measures the next one (a server that has opened a
# window since it started: the opening's code is compiled by the JIT's later tiers); one node only. With
# --warm-up-cidr CIDR the warm-up window is for a group of the agents in CIDR only (agent i has 198.18.0.0 + i + 1).
# --nodes 2: two server processes on one throwaway PostgreSQL database (initdb/pg_ctl from /usr/lib/postgresql, run
# as the postgres account, temp folder, free port) instead of one server on SQLite; the agents are split between the
# nodes and fail over as the real agent does; a second window kills node A mid-window (see docs/benchmarks.md, "Two
# nodes on PostgreSQL"). Example: run.sh 10000 --nodes 2
# --report-interval-seconds 0: agents send no periodic reports (default every 5 s), as real agents with nothing to report.
# SERVER_X=v in the environment sets X=v for the server process only (e.g. SERVER_DOTNET_GCgen0size=0x4000000).
# LOAD_POSTGRES_OPTIONS="Max Auto Prepare=0" (for example) adds Npgsql options to the two nodes' connection string.
# Builds the server and the harness (Release), raises the descriptor limit (10k agents = 10k+ sockets on each side)
# and runs one bounded benchmark against a fresh server process on loopback. Results: stdout and
# tests/Orchestrator.LoadHarness/results.jsonl.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
agents=${1:?usage: run.sh AGENTS [options]}
shift

ulimit -n 65535 2>/dev/null || ulimit -n "$(ulimit -Hn)"
echo "nofile limit: $(ulimit -n); ephemeral ports: $(cat /proc/sys/net/ipv4/ip_local_port_range | tr '\t' '-'); load: $(cat /proc/loadavg)"

dotnet build "$root/src/Orchestrator.Server/Orchestrator.Server.csproj" -c Release -nologo -clp:ErrorsOnly -v q
dotnet build "$here/Orchestrator.LoadHarness.csproj" -c Release -nologo -clp:ErrorsOnly -v q

exec timeout --signal=TERM --kill-after=30 1200 \
  dotnet "$here/bin/Release/net10.0/load-harness.dll" "$agents" \
  --server "$root/src/Orchestrator.Server/bin/Release/net10.0/Orchestrator.Server.dll" \
  --out "$here/results.jsonl" "$@"
