#!/usr/bin/env bash
# The orchestrator on a throw-away LAN of network namespaces, for people to watch a window open and close.
# Builds the solution, starts the server (198.18.0.1) and an agent with real nftables on every endpoint host,
# defines group A / group B and a short one-off window for group A through the REST API, moves some bytes
# A<->A during it, tries b1 -> a1, and prints the run and its traffic report. Everything is removed on exit or
# Ctrl-C. See tests/lab/README.md.
set -euo pipefail

LEAD=${LEAD:-15}                      # seconds from now until the window starts
DURATION=${DURATION:-30}              # window length in seconds (the lab server accepts >= 5)
GROUP_A=${GROUP_A:-"a1 a2 a3"}        # hosts of group A (the window's group); each serves content on 7680
GROUP_B=${GROUP_B:-"b1"}              # hosts of group B (not in the window)
CONTENT_MIB=${CONTENT_MIB:-8}         # MiB each A host serves per connection
HOST_LINK=${HOST_LINK:-1}             # 1 = veth from this (root) namespace to the lab bridge, host side 198.18.0.254
KEEP=${KEEP:-0}                       # 1 = keep the lab running after the report until Ctrl-C
CONFIGURATION=${CONFIGURATION:-Debug}
SKIP_BUILD=${SKIP_BUILD:-0}           # 1 = use the existing build output

if [[ $(id -u) -ne 0 ]]; then
  echo "run-lab.sh must run as root: it creates network namespaces and the agents install nftables rules." >&2
  echo "  sudo $0" >&2
  exit 1
fi
for tool in ip nft dotnet curl; do
  command -v "$tool" >/dev/null || { echo "run-lab.sh needs '$tool' on PATH (apt-get install iproute2 nftables curl; dotnet SDK 10)." >&2; exit 1; }
done

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ID="orlabsh-$$"                       # the E2E suite's stale sweep ignores this prefix; cleanup below owns it
WORK=$(mktemp -d /tmp/orchestrator-lab.XXXXXX)
SERVER_URL="http://198.18.0.1:5080"
HOST_IF="orl$$"
ADMIN_KEY="lab-admin-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
PIDS=()
NAMESPACES=()

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
json() { if command -v jq >/dev/null; then jq .; elif command -v python3 >/dev/null; then python3 -m json.tool; else cat; echo; fi; }
ns() { echo "$ID-$1"; }
in_ns() { local host=$1; shift; ip netns exec "$(ns "$host")" "$@"; }
# The API is called from inside the server's namespace, so it works with HOST_LINK=0 too.
api() {
  local method=$1 path=$2 body=${3:-}
  in_ns srv curl -sS --fail-with-body -X "$method" -H 'content-type: application/json' -H "authorization: Bearer $ADMIN_KEY" \
    ${body:+-d "$body"} "$SERVER_URL$path"
}
sleep_until() { local left=$(( $1 - $(date +%s) )); if (( left > 0 )); then sleep "$left"; fi; }
fetch() { in_ns "$1" dotnet "$PEER_TOOL" fetch --host "$2" --port 7680 --connect-timeout-ms 1000 --idle-timeout-ms 2000; }

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  say "Cleaning up"
  for pid in "${PIDS[@]}" $(jobs -p); do kill -KILL "$pid" 2>/dev/null || true; done
  for name in "${NAMESPACES[@]}"; do
    for pid in $(ip netns pids "$name" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
  done
  for name in "${NAMESPACES[@]}"; do ip netns del "$name" 2>/dev/null || true; done
  ip link del "$HOST_IF" 2>/dev/null || true
  echo "namespaces removed; logs kept in $WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A run that was SIGKILLed could not clean up: remove namespaces of lab runs whose script is gone.
for name in $(ip netns list | awk '{print $1}' | grep '^orlabsh-' || true); do
  owner=${name#orlabsh-}; owner=${owner%%-*}
  if [[ ! -d /proc/$owner ]]; then
    for pid in $(ip netns pids "$name" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns del "$name" 2>/dev/null || true
    ip link del "orl$owner" 2>/dev/null || true
  fi
done

if [[ $SKIP_BUILD != 1 ]]; then
  say "Building the solution"
  dotnet build "$REPO/Orchestrator.sln" -c "$CONFIGURATION" -nologo -v quiet --tl:off -clp:ErrorsOnly
fi
SERVER_DIR="$REPO/src/Orchestrator.Server/bin/$CONFIGURATION/net10.0"
AGENT_DLL="$REPO/src/Orchestrator.Agent/bin/$CONFIGURATION/net10.0/orchestrator-agent.dll"
PEER_TOOL="$REPO/tests/Orchestrator.Testing.PeerTool/bin/$CONFIGURATION/net10.0/peer-tool.dll"

say "Creating the LAN (198.18.0.0/24, no route out)"
# shellcheck disable=SC2206
ENDPOINTS=($GROUP_A $GROUP_B)
ip netns add "$(ns br)"; NAMESPACES+=("$(ns br)")
ip -n "$(ns br)" link add br0 type bridge
ip -n "$(ns br)" link set br0 up
declare -A ADDRESS
index=0
for host in srv "${ENDPOINTS[@]}"; do
  index=$((index + 1))
  ADDRESS[$host]="198.18.0.$index"
  ip netns add "$(ns "$host")"; NAMESPACES+=("$(ns "$host")")
  ip -n "$(ns br)" link add "v$index" type veth peer name eth0 netns "$(ns "$host")"
  ip -n "$(ns br)" link set "v$index" master br0 up
  ip -n "$(ns "$host")" link set lo up
  ip -n "$(ns "$host")" addr add "${ADDRESS[$host]}/24" dev eth0
  ip -n "$(ns "$host")" link set eth0 up
  printf '  %-4s %-13s namespace %s\n' "$host" "${ADDRESS[$host]}" "$(ns "$host")"
done
if [[ $HOST_LINK == 1 ]]; then
  if ip route show 198.18.0.0/24 | grep -q .; then
    echo "  this machine already routes 198.18.0.0/24; set HOST_LINK=0 and use 'ip netns exec $(ns srv) curl ...'" >&2
    exit 1
  fi
  ip link add "$HOST_IF" type veth peer name host netns "$(ns br)"
  ip -n "$(ns br)" link set host master br0 up
  ip addr add 198.18.0.254/24 dev "$HOST_IF"
  ip link set "$HOST_IF" up
  echo "  this machine: 198.18.0.254 on $HOST_IF (a link into the lab; the lab still has no route out)"
fi

say "Starting the server in $(ns srv)"
(cd "$SERVER_DIR" && exec ip netns exec "$(ns srv)" env \
  Urls="$SERVER_URL" \
  Orchestrator__DataDirectory="$WORK/server-data" \
  Orchestrator__MinimumWindowDuration=00:00:05 \
  Orchestrator__JobPollInterval=00:00:00.200 \
  Orchestrator__LateCloseThreshold=00:00:03 \
  Orchestrator__SchedulerName="lab-$$" \
  Orchestrator__BootstrapAdminKey="$ADMIN_KEY" \
  Orchestrator__DashboardAllowAnonymous=true \
  dotnet "$SERVER_DIR/Orchestrator.Server.dll" >"$WORK/server.log" 2>&1) &
PIDS+=($!); disown
for _ in $(seq 1 300); do api GET /healthz >/dev/null 2>&1 && break; sleep 0.2; done
api GET /healthz >/dev/null || { echo "the server did not become healthy; see $WORK/server.log" >&2; tail -20 "$WORK/server.log" >&2; exit 1; }
echo "  healthy at $SERVER_URL"

say "Enrolling an agent on every endpoint"
TOKEN=$(api POST /api/v1/enrollment-tokens '{"name":"lab","expiresIn":"PT1H","singleUse":false}' | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[[ -n $TOKEN ]] || { echo "no enrollment token in the server's answer" >&2; exit 1; }
for host in "${ENDPOINTS[@]}"; do
  mkdir -p "$WORK/agent-$host"
  ip netns exec "$(ns "$host")" env ORCHESTRATOR_AGENT__REPORTINTERVALSECONDS=2 \
    dotnet "$AGENT_DLL" --server-url "$SERVER_URL" --token "$TOKEN" --state-dir "$WORK/agent-$host" --hostname "$host" \
    >"$WORK/agent-$host.log" 2>&1 &
  PIDS+=($!); disown
done
for host in $GROUP_A; do
  ip netns exec "$(ns "$host")" dotnet "$PEER_TOOL" serve --port 7680 --bytes $((CONTENT_MIB * 1024 * 1024)) >"$WORK/content-$host.log" 2>&1 &
  PIDS+=($!); disown
done
for _ in $(seq 1 300); do
  online=$(api GET /api/v1/agents 2>/dev/null | grep -o '"online":true' | wc -l || true)
  [[ $online -ge ${#ENDPOINTS[@]} ]] && break
  sleep 0.2
done
[[ $online -ge ${#ENDPOINTS[@]} ]] || { echo "only $online of ${#ENDPOINTS[@]} agents came online; see $WORK/agent-*.log" >&2; exit 1; }
api GET /api/v1/agents | json

say "Defining groups and a window through the REST API"
members() { local out=""; for h in "$@"; do out+="\"$h\","; done; echo "[${out%,}]"; }
# shellcheck disable=SC2086
api POST /api/v1/groups "{\"name\":\"group-a\",\"staticMembers\":$(members $GROUP_A)}" >/dev/null
# shellcheck disable=SC2086
api POST /api/v1/groups "{\"name\":\"group-b\",\"staticMembers\":$(members $GROUP_B)}" >/dev/null
START_EPOCH=$(( $(date +%s) + LEAD ))
AT=$(date -u -d "@$START_EPOCH" +%Y-%m-%dT%H:%M:%S)
WINDOW=$(api POST /api/v1/windows "{\"name\":\"lab-window\",\"at\":\"$AT\",\"timeZone\":\"Etc/UTC\",\"duration\":\"PT${DURATION}S\",\"groups\":[\"group-a\"],\"scan\":{\"enabled\":false}}")
WINDOW_ID=$(sed -n 's/^{"id":\([0-9]*\).*/\1/p' <<<"$WINDOW")
echo "  window $WINDOW_ID for group-a starts at $AT UTC and lasts ${DURATION}s"

read -r -a A_HOSTS <<<"$GROUP_A"
read -r -a B_HOSTS <<<"$GROUP_B"
A1=${A_HOSTS[0]}; A2=${A_HOSTS[1]:-${A_HOSTS[0]}}; A3=${A_HOSTS[2]:-$A2}; B1=${B_HOSTS[0]}

say "Where to watch"
echo "  admin API key (lab only):   $ADMIN_KEY"
if [[ $HOST_LINK == 1 ]]; then
  echo "  dashboard (Hangfire jobs):  http://198.18.0.1:5080/hangfire   (from this machine, via $HOST_IF)"
  echo "  REST API:                   curl -H 'authorization: Bearer $ADMIN_KEY' http://198.18.0.1:5080/api/v1/runs?windowId=$WINDOW_ID"
else
  echo "  REST API / dashboard:       ip netns exec $(ns srv) curl -H 'authorization: Bearer $ADMIN_KEY' http://198.18.0.1:5080/api/v1/runs?windowId=$WINDOW_ID"
fi
echo "  a host's firewall:          ip netns exec $(ns "$A1") nft list table inet orchestrator"
echo "  a shell on a host:          ip netns exec $(ns "$A1") bash"
echo "  logs:                       $WORK/server.log, $WORK/agent-<host>.log"

say "Before the window: $A1 -> $A2:7680"
echo "  $(fetch "$A1" "${ADDRESS[$A2]}")   (expected: timeout, the agents' closed tables drop it)"

sleep_until $(( START_EPOCH + 3 ))
say "During the window"
echo "  $A2 <- $A1:7680  $(fetch "$A2" "${ADDRESS[$A1]}")   (outcome bytes ms)"
echo "  $A3 <- $A2:7680  $(fetch "$A3" "${ADDRESS[$A2]}")"
echo "  $B1 -> $A1:7680  $(fetch "$B1" "${ADDRESS[$A1]}")   (expected: timeout, $B1 is not in group-a)"
echo "  $A1's firewall now:"
in_ns "$A1" nft list set inet orchestrator allowed4 | sed 's/^/    /'

sleep_until $(( START_EPOCH + DURATION + 2 ))
say "After the window: $A1 -> $A2:7680"
echo "  $(fetch "$A1" "${ADDRESS[$A2]}")   (expected: timeout)"
sleep 4

say "The run"
RUNS=$(api GET "/api/v1/runs?windowId=$WINDOW_ID")
echo "$RUNS" | json
RUN_ID=$(sed -n 's/^\[{"id":\([0-9]*\).*/\1/p' <<<"$RUNS")
if [[ -n $RUN_ID ]]; then
  api GET "/api/v1/runs/$RUN_ID" | json
  say "Traffic of run $RUN_ID (bytes served per peer pair; blocked attempts)"
  api GET "/api/v1/runs/$RUN_ID/traffic" | json
fi

if [[ $KEEP == 1 ]]; then
  say "The lab keeps running; Ctrl-C removes it"
  while true; do sleep 3600 & wait $!; done   # wait, unlike sleep, lets the trap run at once
fi
