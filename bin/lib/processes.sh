# shellcheck shell=bash
# bin/lib/processes.sh: background processes: launch with pid and start-time files, health, stop.
# Sourced by bin/agentic, which sets ROOT and sources common.sh first.

pid_file() { say "$PID_DIR/$1.pid"; }

read_pid() { # NAME -> pid from its pid file
  local file
  file=$(pid_file "$1")
  [[ -f $file ]] || return 1
  local pid
  pid=$(<"$file")
  is_uint "$pid" && say "$pid"
}

start_time() { # PID -> its start time in clock ticks since boot (from /proc)
  local stat
  read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
  stat=${stat##*) } # drop "pid (command) ": the command may contain spaces
  read -r -a stat <<<"$stat"
  say "${stat[19]}"
}

# Alive, not a zombie, and the very process we started: the start time recorded next to the
# pid must match, so a recycled pid is never mistaken for ours.
is_ours() { # NAME PID
  local state recorded
  kill -0 "$2" 2>/dev/null || return 1
  state=$(ps -o stat= -p "$2" 2>/dev/null) || return 1
  [[ $state != Z* ]] || return 1
  if [[ -f $PID_DIR/$1.start && -r /proc/$2/stat ]]; then
    recorded=$(<"$PID_DIR/$1.start")
    [[ $(start_time "$2") == "$recorded" ]] || return 1
  fi
  return 0
}

# Starts a command in the background, in its own session (so Ctrl-C in this terminal does not
# reach it), logging to .run/logs/NAME.log, and records its pid and start time.
launch() { # ROLE NAME PORT COMMAND...
  local role=$1 name=$2 port=$3
  shift 3
  local log="$LOG_DIR/$name.log"
  printf '=== %s: %s\n' "$(date '+%F %T')" "$*" >"$log"
  if command -v setsid >/dev/null 2>&1; then
    setsid "$@" </dev/null >>"$log" 2>&1 9>&- &
  else
    nohup "$@" </dev/null >>"$log" 2>&1 9>&- &
  fi
  local pid=$!
  say "$pid" >"$(pid_file "$name")"
  start_time "$pid" >"$PID_DIR/$name.start" 2>/dev/null || rm -f "$PID_DIR/$name.start"
  say "$role $name $port" >>"$SERVICES_FILE"
}


http_code() { # URL -> HTTP status (000 if nothing answers)
  curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" 2>/dev/null || true
}

health_url() { # ROLE PORT
  case $1 in
    llm) say "http://127.0.0.1:$2/health" ;;
    worker) say "http://127.0.0.1:$2/actuator/health/readiness" ;;
    ingress | nginx) say "http://127.0.0.1:$2/api/v1/monitoring/ready" ;;
  esac
}

is_healthy() { # ROLE PORT
  local reply
  if [[ $1 == redis ]]; then
    if command -v redis-cli >/dev/null 2>&1; then
      reply=$(redis-cli -h 127.0.0.1 -p "$2" ping 2>/dev/null) || return 1
    else
      reply=$(
        exec 3<>"/dev/tcp/127.0.0.1/$2" || exit 1
        printf 'PING\r\n' >&3
        read -r -t 2 line <&3 && printf '%s' "$line"
      ) 2>/dev/null || return 1
    fi
    [[ $reply == *PONG* ]]
  else
    [[ $(http_code "$(health_url "$1" "$2")") == 200 ]]
  fi
}

port_in_use() { # PORT
  if command -v ss >/dev/null 2>&1; then
    [[ -n $(ss -Hltn "sport = :$1" 2>/dev/null) ]]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

port_owner() { # PORT -> e.g. users:(("redis-server",pid=12,fd=6)), when ss can tell
  if command -v ss >/dev/null 2>&1; then
    ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'users:.*' | head -n1 || true
  fi
}

# Lists the services of the last "up" in start order: "role name port" lines.
services() {
  [[ -f $SERVICES_FILE ]] && cat "$SERVICES_FILE"
  return 0
}

any_running() {
  local role name port pid
  while read -r role name port; do
    if pid=$(read_pid "$name") && is_ours "$name" "$pid"; then return 0; fi
  done < <(services)
  return 1
}

# Stops one group of processes: SIGTERM to all, wait up to STOP_TIMEOUT, then SIGKILL.
stop_group() { # NAME...
  local name pid pids=() names=() deadline i
  for name in "$@"; do
    if pid=$(read_pid "$name") && is_ours "$name" "$pid"; then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
      names+=("$name")
    fi
  done
  deadline=$((SECONDS + STOP_TIMEOUT))
  for i in "${!pids[@]}"; do
    while is_ours "${names[$i]}" "${pids[$i]}" && ((SECONDS < deadline)); do sleep 0.2; done
    if is_ours "${names[$i]}" "${pids[$i]}"; then
      warn "${names[$i]} (pid ${pids[$i]}) did not stop within ${STOP_TIMEOUT}s; killing it"
      # Each process leads its own process group (setsid): this also takes its children.
      kill -KILL -- "-${pids[$i]}" 2>/dev/null || kill -KILL "${pids[$i]}" 2>/dev/null || true
      while is_ours "${names[$i]}" "${pids[$i]}"; do sleep 0.1; done
    fi
    wait "${pids[$i]}" 2>/dev/null || true # reap it if this shell started it
    say "  stopped ${names[$i]} (pid ${pids[$i]})"
  done
  for name in "$@"; do rm -f "$(pid_file "$name")" "$PID_DIR/$name.start"; done
}

# Stops everything recorded under .run/, front to back: nginx, ingress, workers, llm, redis.
stop_all() {
  local role name port tier names
  local -A by_role=()
  while read -r role name port; do by_role[$role]+="$name "; done < <(services)
  # Pid files without a services line (should not happen, but never leave a process behind).
  if [[ -d $PID_DIR ]]; then
    for name in "$PID_DIR"/*.pid; do
      [[ -e $name ]] || continue
      name=$(basename "$name" .pid)
      [[ " ${by_role[*]} " == *" $name "* ]] || by_role[other]+="$name "
    done
  fi
  for tier in nginx ingress worker llm redis other; do
    read -r -a names <<<"${by_role[$tier]:-}"
    if ((${#names[@]} > 0)); then stop_group "${names[@]}"; fi
  done
  rm -f "$SERVICES_FILE"
}

abort_up() { # NAME MESSAGE
  local log="$LOG_DIR/$1.log"
  warn "$2"
  if [[ -f $log ]]; then
    warn "last lines of $log:"
    tail -n 40 "$log" | sed 's/^/    /' >&2
  fi
  warn "stopping what was started..."
  stop_all
  exit 1
}

# Waits for a process to answer its health check; when it exits or stays unhealthy, calls
# $HEALTH_FAILURE (default abort_up: stop the whole stack; scale stops only that process).
wait_healthy() { # ROLE NAME PORT
  local role=$1 name=$2 port=$3 pid started=$SECONDS
  pid=$(read_pid "$name")
  printf '  %-10s port %-5s pid %-7s ' "$name" "$port" "$pid"
  while ! is_healthy "$role" "$port"; do
    if ! is_ours "$name" "$pid"; then
      say "exited"
      "${HEALTH_FAILURE:-abort_up}" "$name" "$name exited before becoming healthy"
    fi
    if ((SECONDS - started >= HEALTH_TIMEOUT)); then
      say "not healthy"
      "${HEALTH_FAILURE:-abort_up}" "$name" "$name is not healthy after ${HEALTH_TIMEOUT}s"
    fi
    sleep 0.5
  done
  say "up ($((SECONDS - started))s)"
}
