#!/usr/bin/env bash
# Same-run A/B of two settings of the whole stack: CPU per request (every process: Redis, the
# simulator, workers, ingresses, Nginx and its workers) and Redis commands per request (commands
# inside scripts included), for math JSON queries through Nginx under wrk (2 threads, 64
# connections), tenant limits lifted. Runs each side on a fresh stack (bin/agentic up,
# a warm-up, the measured window, bin/agentic down), so both see the same machine, in the order
# A B, B A, A B... so that neither side always runs first.
#
#   loadtest/ab/knob-ab.sh "-Dagentic.trim.recent-requests=200" "-Dagentic.trim.recent-requests=0" [ROUNDS] [SECONDS]
#
# Each argument is the AGENTIC_JAVA_OPTS of one side. Needs wrk and a built tree (AGENTIC_NO_BUILD=1).
# Two builds instead of two settings: AB_TREE_A / AB_TREE_B name the checkout each side starts its
# stack from (default: this one), e.g. a `git worktree` of the commit before a change, built with
# `mvn package -DskipTests`. AB_WARMUP: seconds of load before the window (default: the window's).
#
#   AB_TREE_A=/tmp/before AB_WARMUP=60 loadtest/ab/knob-ab.sh "" "" 2 30
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
a=$1 b=$2 rounds=${3:-2} seconds=${4:-30}
tree_a=${AB_TREE_A:-$PWD} tree_b=${AB_TREE_B:-$PWD} warmup=${AB_WARMUP:-$seconds}
base=${AGENTIC_RUN_DIR:-/tmp/agentic-ab}
export AGENTIC_NO_BUILD=1
# Nginx's per-address limits would refuse the load (one address): lifted, like the tenant's below.
export AGENTIC_NGINX_CLIENT_RATE=100000 AGENTIC_NGINX_CLIENT_BURST=100000 AGENTIC_NGINX_CLIENT_CONNECTIONS=30000
port=${AGENTIC_PORT:-8080} redis_port=${AGENTIC_REDIS_PORT:-6390}
tick=$(getconf CLK_TCK)
lua=$(mktemp --suffix=.lua)
trap 'rm -f "$lua"' EXIT

cpu_ticks() { # the stack's processes and their children, in clock ticks
  local total=0 pid child
  while read -r pid; do
    for child in "$pid" $(pgrep -P "$pid" || true); do
      [[ -r /proc/$child/stat ]] || continue
      read -r -a f < <(sed 's/^.*) //' "/proc/$child/stat")
      total=$((total + f[11] + f[12]))
    done
  done < <(cat "$AGENTIC_RUN_DIR"/pids/*.pid)
  echo "$total"
}

redis_calls() { # every command Redis ran, those inside scripts included
  redis-cli -p "$redis_port" INFO commandstats | awk -F'[=,]' '/^cmdstat_/ {n += $2} END {print n}'
}

one_side() { # LABEL JAVA_OPTS RUN TREE
  # A state folder of its own: no side reloads the AOF, keys and logs the one before it left.
  export AGENTIC_RUN_DIR=$base/$3
  rm -rf "$AGENTIC_RUN_DIR"
  AGENTIC_JAVA_OPTS=$2 "$4/bin/agentic" up >/dev/null
  local key
  key=$(cat "$AGENTIC_RUN_DIR/admin-key")
  curl -sf -o /dev/null -X PUT -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    -d '{"rate_per_second":0,"burst":1,"rate_per_minute":0,"max_streams":0}' "http://127.0.0.1:$port/api/v1/admin/limits"
  cat >"$lua" <<LUA
wrk.method = "POST"
wrk.body = '{"query":"What is 2+2?","agent_type":"math","cache":false}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
LUA
  wrk -t2 -c64 -d"${warmup}s" -s "$lua" "http://127.0.0.1:$port/api/v1/query" >/dev/null # warm-up
  local cpu0 calls0 out requests errors cpu1 calls1
  cpu0=$(cpu_ticks) calls0=$(redis_calls)
  out=$(wrk -t2 -c64 -d"${seconds}s" -s "$lua" "http://127.0.0.1:$port/api/v1/query")
  cpu1=$(cpu_ticks) calls1=$(redis_calls)
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  "$4/bin/agentic" down >/dev/null
  awk -v l="$1" -v r="$requests" -v e="${errors:-0}" -v c=$((cpu1 - cpu0)) -v k=$((calls1 - calls0)) -v t="$tick" -v s="$seconds" \
    'BEGIN {printf "%s  %.0f req/s  %.3f ms CPU/request  %.1f Redis commands/request  (%d requests, %d not 2xx)\n", l, r / s, c * 1000 / t / r, k / r, r, e}'
}

# A B, B A, A B...: the machine drifts over a run (a first A B A B put both A first and drifting
# 1,573 -> 1,222 req/s), so the order alternates and neither side always goes first.
for ((i = 1; i <= rounds; i++)); do
  if ((i % 2)); then
    one_side "A [$a] $tree_a" "$a" "$i-a" "$tree_a"
    one_side "B [$b] $tree_b" "$b" "$i-b" "$tree_b"
  else
    one_side "B [$b] $tree_b" "$b" "$i-b" "$tree_b"
    one_side "A [$a] $tree_a" "$a" "$i-a" "$tree_a"
  fi
done
