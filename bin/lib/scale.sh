# shellcheck shell=bash
# bin/lib/scale.sh: changes to a running stack without a restart: "scale workers|ingress N" and
# "rollout" (restart every ingress, then every worker, one at a time, e.g. on new jars).
# Sourced by bin/agentic after stack.sh (start_worker, start_ingress, write_nginx_conf).

# The names of ROLE's running processes, numbered as up and scale name them (worker-1, worker-2...).
running_of() { # ROLE
  local role name port pid
  while read -r role name port; do
    [[ $role == "$1" ]] || continue
    if pid=$(read_pid "$name") && is_ours "$name" "$pid"; then say "$name"; fi
  done < <(services)
}

# Removes the services lines of these names (after they were stopped).
forget_services() { # NAME...
  local role name port kept=""
  while read -r role name port; do
    [[ " $* " == *" $name "* ]] || kept+="$role $name $port"$'\n'
  done < <(services)
  printf '%s' "$kept" >"$SERVICES_FILE"
}

# What wait_healthy does when a process started by scale fails: stop that one, not the stack.
abort_scale() { # NAME MESSAGE
  local log="$LOG_DIR/$1.log"
  warn "$2"
  [[ -f $log ]] && tail -n 40 "$log" | sed 's/^/    /' >&2
  stop_group "$1"
  forget_services "$1"
  exit 1
}

# Nginx re-reads its config on SIGHUP: new connections follow the new upstream list, open ones
# (streams included) finish on the worker processes that accepted them. Returns once the new
# workers run (at most 5 s): the old ones then take no new connection, so an ingress taken out can
# be stopped. (A request an old worker was already reading may still reach it: a stopping ingress
# answers that one 503 shutting_down, retryable.)
reload_nginx() {
  local pid before deadline
  if ! pid=$(read_pid nginx) || ! is_ours nginx "$pid"; then
    die "Nginx is not running; restart with 'bin/agentic down && bin/agentic up'"
  fi
  before=$(nginx_workers "$pid")
  kill -HUP "$pid"
  deadline=$((SECONDS + 5))
  while ((SECONDS < deadline)); do
    [[ -n $(comm -13 <(printf '%s\n' "$before") <(nginx_workers "$pid")) ]] && return 0
    sleep 0.1
  done
  warn "Nginx started no new worker within 5 s of the reload; see $LOG_DIR/nginx-error.log"
}

nginx_workers() { # MASTER_PID -> its child pids, sorted
  ps -o pid= --ppid "$1" 2>/dev/null | tr -d ' ' | sort
}

# Locks the run folder against up/down/scale/rollout and checks a stack runs.
lock_running_stack() {
  mkdir -p "$RUN_DIR"
  exec 9>"$RUN_DIR/lock"
  if command -v flock >/dev/null 2>&1 && ! flock -w 60 9; then
    die "another bin/agentic up/down/scale/rollout is in progress"
  fi
  any_running || die "nothing is running; start the stack with: bin/agentic up"
  find_jdk
  # shellcheck disable=SC2034 # read by write_nginx_conf (stack.sh)
  NGINX_BIN=$(find_bin nginx) || die "nginx is missing"
}

# Restarts every ingress, then every worker, one at a time, so the stack keeps serving: an ingress
# leaves Nginx (reload), stops (its streams end with a retryable error the clients resume on the
# others), starts again and rejoins Nginx once healthy; a worker drains, stops and starts again.
# Nothing accepted is lost; with a single instance of a role, its requests wait in the queue (a
# worker) or are refused with 502/503 for the restart (an ingress: run two).
cmd_rollout() {
  local roles=() role names=() name index port
  case ${1:-all} in
    all) roles=(ingress worker) ;;
    ingress | ingresses) roles=(ingress) ;;
    worker | workers) roles=(worker) ;;
    -h | --help) usage; return 0 ;;
    *) die "rollout: 'all' (default), 'ingress' or 'workers'" ;;
  esac
  lock_running_stack
  for role in "${roles[@]}"; do
    mapfile -t names < <(running_of "$role")
    say "Rolling $role: ${names[*]}"
    for name in "${names[@]}"; do
      index=${name##*-}
      if [[ $role == worker ]]; then port=$((AGENTIC_WORKER_BASE_PORT + index - 1)); else port=$((AGENTIC_INGRESS_BASE_PORT + index - 1)); fi
      if [[ $role == ingress ]] && ((${#names[@]} > 1)); then
        write_nginx_conf "$name"
        reload_nginx
      fi
      STOP_TIMEOUT=$SCALE_STOP_TIMEOUT stop_group "$name"
      forget_services "$name"
      "start_$role" "$index"
      HEALTH_FAILURE=abort_scale wait_healthy "$role" "$name" "$port"
      if [[ $role == ingress ]]; then
        write_nginx_conf
        reload_nginx
      fi
    done
  done
  say "Rollout done."
}

cmd_scale() {
  local what=${1:-} count=${2:-} role names=() current i port next started=() removed=()
  case $what in
    worker | workers) role=worker ;;
    ingress | ingresses) role=ingress ;;
    -h | --help | "") usage; return 0 ;;
    *) die "scale: 'workers' or 'ingress', e.g. bin/agentic scale workers 4" ;;
  esac
  { is_uint "$count" && ((count >= 1)); } || die "scale $what: the count must be a number >= 1, was '$count'"
  (($# <= 2)) || die "scale: too many arguments"

  lock_running_stack
  mapfile -t names < <(running_of "$role")
  current=${#names[@]}

  if ((count > current)); then
    say "Scaling $role from $current to $count:"
    next=1
    while ((current + ${#started[@]} < count)); do
      if [[ " ${names[*]} " != *" $role-$next "* ]]; then
        if [[ $role == worker ]]; then port=$((AGENTIC_WORKER_BASE_PORT + next - 1)); else port=$((AGENTIC_INGRESS_BASE_PORT + next - 1)); fi
        check_port_var "port" "$port"
        port_in_use "$port" && die "port $port for $role-$next is in use$(o=$(port_owner "$port"); [[ -n $o ]] && printf ' by %s' "$o")"
        "start_$role" "$next"
        started+=("$role-$next:$port")
      fi
      next=$((next + 1))
    done
    for i in "${started[@]}"; do
      HEALTH_FAILURE=abort_scale wait_healthy "$role" "${i%%:*}" "${i##*:}"
    done
    if [[ $role == ingress ]]; then
      write_nginx_conf
      reload_nginx
      say "  Nginx reloaded with $count ingress $(plural "$count" instance)"
    fi
  elif ((count < current)); then
    say "Scaling $role from $current to $count:"
    # the highest-numbered go first
    mapfile -t removed < <(printf '%s\n' "${names[@]}" | sort -t- -k2,2n | tail -n $((current - count)))
    if [[ $role == ingress ]]; then
      # Nginx first, so no new request reaches them; then their streams end with a retryable
      # error the clients resume elsewhere, and their JSON callers get 202 and poll.
      write_nginx_conf "${removed[@]}"
      reload_nginx
      say "  Nginx reloaded without ${removed[*]}"
    fi
    # A worker drains: it takes no new job, finishes its running ones within
    # agentic.worker.shutdown-grace (30s), hands the rest back. Wait for that, not STOP_TIMEOUT.
    STOP_TIMEOUT=$SCALE_STOP_TIMEOUT stop_group "${removed[@]}"
    forget_services "${removed[@]}"
  else
    say "$role: $current running already."
  fi
}
