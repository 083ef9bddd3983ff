# shellcheck shell=bash
# bin/lib/stack.sh: the commands that run the stack: up, status, down, logs; the admin key; the Nginx config.
# Sourced by bin/agentic, which sets ROOT and sources common.sh first.

# A folder for Nginx's temp files (request bodies over 16 KB, such as documents) that its worker
# processes can write to. Started as root, they run as "nobody", who may not reach .run/ (a
# repository under /root, say): then a folder under /tmp, or every document gets a 500.
nginx_temp_dir() {
  local dir="$NGINX_PREFIX/tmp"
  mkdir -p "$dir"
  chmod 777 "$dir"
  if [[ $(id -u) == 0 ]] && command -v runuser >/dev/null 2>&1 &&
    ! runuser -u nobody -- test -w "$dir" 2>/dev/null; then
    dir="${TMPDIR:-/tmp}/agentic-nginx-$(printf '%s' "$RUN_DIR" | cksum | cut -d' ' -f1)"
    mkdir -p "$dir"
    chmod 777 "$dir"
  fi
  say "$dir"
}

is_api_key() { [[ $1 =~ ^agk_[0-9a-f]{16}_[A-Za-z0-9_-]{16,128}$ ]]; }

# Creates .run/admin-key once (agk_<16 hex id>_<43 base64url secret>, mode 600) and prints it; later
# runs reuse it, so the key stays valid across down/up (Redis keeps its hashed record in .run/redis).
ensure_admin_key() {
  local id secret key
  if [[ -f $ADMIN_KEY_FILE ]]; then
    key=$(<"$ADMIN_KEY_FILE")
    is_api_key "$key" || die "$ADMIN_KEY_FILE does not hold an API key (agk_<id>_<secret>); remove it to generate a new one"
    return 0
  fi
  id=$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')
  secret=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
  key="agk_${id}_${secret}"
  is_api_key "$key" || die "could not generate an API key"
  (
    umask 077
    printf '%s\n' "$key" >"$ADMIN_KEY_FILE"
  )
  chmod 600 "$ADMIN_KEY_FILE"
  say "Generated the admin API key (tenant 'public', role admin). It is shown only this once and kept in"
  say "$ADMIN_KEY_FILE (mode 600), which 'bin/agentic query', 'ingest' and 'bench' use:"
  say
  say "  $key"
  say
}

# The key to send: $AGENTIC_API_KEY, else the one "up" generated.
api_key() {
  local key=${AGENTIC_API_KEY:-}
  if [[ -z $key ]]; then
    [[ -r $ADMIN_KEY_FILE ]] || die "no API key: start with 'bin/agentic up' (it writes $ADMIN_KEY_FILE) or set AGENTIC_API_KEY"
    key=$(<"$ADMIN_KEY_FILE")
  fi
  is_api_key "$key" || die "the API key (AGENTIC_API_KEY or $ADMIN_KEY_FILE) is not of the form agk_<id>_<secret>"
  say "$key"
}

cmd_status() {
  local role name port pid health all_up=0
  if [[ ! -s $SERVICES_FILE ]]; then
    say "Nothing is running (start it with: bin/agentic up)."
    return 1
  fi
  printf '%-8s %-10s %-8s %-6s %s\n' ROLE NAME PID PORT HEALTH
  while read -r role name port; do
    pid=$(read_pid "$name") || pid=-
    if [[ $pid == - ]] || ! is_ours "$name" "$pid"; then
      health=dead
    elif is_healthy "$role" "$port"; then
      health=up
    else
      health=down
    fi
    [[ $health == up ]] || all_up=1
    printf '%-8s %-10s %-8s %-6s %s\n' "$role" "$name" "$pid" "$port" "$health"
  done < <(services)
  return "$all_up"
}


# Fills the array named ARRAY with the words of a role's flags from config/stack.env, each
# {placeholder} replaced by the value given as placeholder=value (per word, so values may hold spaces).
stack_args() { # ARRAY TEMPLATE NAME=VALUE...
  local -n stack_args_into=$1
  local template=$2 word pair i
  shift 2
  read -r -a stack_args_into <<<"$template"
  for i in "${!stack_args_into[@]}"; do
    word=${stack_args_into[$i]}
    for pair in "$@"; do word=${word//"{${pair%%=*}}"/"${pair#*=}"}; done
    [[ $word != *"{"*"}"* ]] || die "$STACK_ENV: no value for the placeholder in '$word'"
    stack_args_into[i]=$word
  done
}

# The Java command line of the stack's services: the JDK, config/stack.env's options, AGENTIC_JAVA_OPTS;
# with AGENTIC_OTEL=1 and a service name, the OpenTelemetry java agent (see otel_agent).
java_command() { # ARRAY_NAME [SERVICE_NAME]
  local -n command_ref=$1
  local opts=()
  read -r -a opts <<<"$STACK_JAVA_OPTS ${AGENTIC_JAVA_OPTS:-}"
  # shellcheck disable=SC2034 # the caller's array, through the nameref
  command_ref=("$JAVA_HOME/bin/java" "${opts[@]}")
  if [[ $AGENTIC_OTEL == 1 && -n ${2:-} ]]; then
    otel_agent
    command_ref+=("-javaagent:$OTEL_AGENT_JAR" "-Dotel.service.name=$2")
    # Traces go where OTEL_EXPORTER_OTLP_ENDPOINT says (e.g. a Jaeger's 4318), or else as OTLP JSON
    # into the service's log; metrics stay with Prometheus.
    if [[ -z ${OTEL_EXPORTER_OTLP_ENDPOINT:-} && -z ${OTEL_TRACES_EXPORTER:-} ]]; then
      command_ref+=("-Dotel.traces.exporter=logging-otlp")
    fi
    [[ -n ${OTEL_METRICS_EXPORTER:-} ]] || command_ref+=("-Dotel.metrics.exporter=none")
    [[ -n ${OTEL_LOGS_EXPORTER:-} ]] || command_ref+=("-Dotel.logs.exporter=none")
  fi
}

# Sets OTEL_AGENT_JAR: the OpenTelemetry java agent, fetched once from Maven Central into .run/otel.
otel_agent() {
  OTEL_AGENT_JAR="$RUN_DIR/otel/opentelemetry-javaagent-$OTEL_AGENT_VERSION.jar"
  [[ -s $OTEL_AGENT_JAR ]] && return
  say "Fetching the OpenTelemetry java agent $OTEL_AGENT_VERSION from Maven Central..."
  (cd "$ROOT" && mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    -Dartifact="io.opentelemetry.javaagent:opentelemetry-javaagent:$OTEL_AGENT_VERSION" \
    -DoutputDirectory="$RUN_DIR/otel") ||
    die "could not fetch the OpenTelemetry java agent (Maven Central unreachable?); run without AGENTIC_OTEL=1"
  [[ -s $OTEL_AGENT_JAR ]] || die "Maven did not write $OTEL_AGENT_JAR"
}

# Starts worker I (without waiting for it): its port is AGENTIC_WORKER_BASE_PORT + I - 1.
start_worker() { # I
  local port=$((AGENTIC_WORKER_BASE_PORT + $1 - 1)) java=() args=()
  java_command java "worker-$1"
  stack_args args "$STACK_WORKER_ARGS" port="$port" name="worker-$1" \
    redis_uri="redis://127.0.0.1:$AGENTIC_REDIS_PORT" llm_url="http://127.0.0.1:$AGENTIC_LLM_PORT/v1" \
    data_dir="$RUN_DIR"
  launch worker "worker-$1" "$port" "${java[@]}" -jar "$(jar_of worker)" "${args[@]}"
}

# Starts ingress I (without waiting for it), the admin key in its environment (ps would show an argument).
start_ingress() { # I
  local port=$((AGENTIC_INGRESS_BASE_PORT + $1 - 1)) java=() args=()
  java_command java "ingress-$1"
  stack_args args "$STACK_INGRESS_ARGS" port="$port" name="ingress-$1" \
    redis_uri="redis://127.0.0.1:$AGENTIC_REDIS_PORT"
  AGENTIC_SECURITY_BOOTSTRAPKEY=$(<"$ADMIN_KEY_FILE") \
    launch ingress "ingress-$1" "$port" "${java[@]}" -jar "$(jar_of ingress-api)" "${args[@]}"
}

# Sets TLS_CERT_FILE and TLS_KEY_FILE, for Nginx: AGENTIC_NGINX_TLS_CERT/KEY, or a self-signed
# certificate made once.
tls_files() {
  if [[ -n $AGENTIC_NGINX_TLS_CERT || -n $AGENTIC_NGINX_TLS_KEY ]]; then
    [[ -r $AGENTIC_NGINX_TLS_CERT && -r $AGENTIC_NGINX_TLS_KEY ]] ||
      die "AGENTIC_NGINX_TLS_CERT and AGENTIC_NGINX_TLS_KEY must both name readable PEM files"
    TLS_CERT_FILE=$AGENTIC_NGINX_TLS_CERT TLS_KEY_FILE=$AGENTIC_NGINX_TLS_KEY
    return
  fi
  local dir="$RUN_DIR/tls"
  if [[ ! -s $dir/tls.crt || ! -s $dir/tls.key ]]; then
    command -v openssl >/dev/null || die "openssl is needed to make a TLS certificate (apt-get install -y openssl)"
    mkdir -p "$dir"
    openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj /CN=localhost \
      -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
      -keyout "$dir/tls.key" -out "$dir/tls.crt" >"$dir/openssl.log" 2>&1 ||
      die "openssl could not make a certificate (see $dir/openssl.log)"
    chmod 600 "$dir/tls.key"
  fi
  TLS_CERT_FILE=$dir/tls.crt TLS_KEY_FILE=$dir/tls.key
}

# Writes .run/nginx/nginx.conf from nginx/agentic.conf.template (the header of the template says
# how; test-support's NginxServer.render does the same), with one upstream server per ingress the
# services file lists (except the names given), and checks it with nginx -t.
# shellcheck disable=SC2120 # scale.sh passes the names it removes
write_nginx_conf() { # [NAME_TO_LEAVE_OUT...]
  local conf limit role name port upstreams="" allow="" address drop='# upstream-dns|# tls'
  for limit in AGENTIC_NGINX_CLIENT_RATE AGENTIC_NGINX_CLIENT_BURST AGENTIC_NGINX_CLIENT_CONNECTIONS; do
    is_uint "${!limit}" || die "$limit must be a whole number, not '${!limit}'"
  done
  while read -r role name port; do
    [[ $role == ingress && " $* " != *" $name "* ]] || continue
    upstreams+="${upstreams:+$'\n        '}server 127.0.0.1:$port max_fails=1 fail_timeout=2s;"
  done < <(services)
  [[ -n $upstreams ]] || die "no ingress instance left for Nginx"
  for address in $AGENTIC_NGINX_ADMIN_ALLOW; do
    [[ $address =~ ^[0-9a-fA-F.:/]+$ ]] || die "AGENTIC_NGINX_ADMIN_ALLOW: '$address' is not an address or CIDR"
    allow+="${allow:+ }allow $address;"
  done
  [[ -n $allow ]] || die "AGENTIC_NGINX_ADMIN_ALLOW must name at least one address (127.0.0.1 for this host only)"
  if [[ -n $AGENTIC_NGINX_TLS_PORT ]]; then
    drop='# upstream-dns'
    tls_files
  fi
  # The lines of the modes not chosen go; then the placeholders are filled.
  conf=$(grep -Ev "(${drop})[[:space:]]*\$" "$ROOT/nginx/agentic.conf.template")
  conf=${conf//"{{PREFIX}}"/"$NGINX_PREFIX"}
  conf=${conf//"{{TEMP}}"/"$(nginx_temp_dir)"}
  conf=${conf//"{{LISTEN}}"/"127.0.0.1:$AGENTIC_PORT"}
  conf=${conf//"{{UPSTREAM_SERVERS}}"/"$upstreams"}
  conf=${conf//"{{CLIENT_RATE}}"/"$AGENTIC_NGINX_CLIENT_RATE"}
  conf=${conf//"{{CLIENT_BURST}}"/"$AGENTIC_NGINX_CLIENT_BURST"}
  conf=${conf//"{{CLIENT_CONNECTIONS}}"/"$AGENTIC_NGINX_CLIENT_CONNECTIONS"}
  conf=${conf//"{{ADMIN_ALLOW}}"/"$allow"}
  conf=${conf//"{{TLS_LISTEN}}"/"127.0.0.1:$AGENTIC_NGINX_TLS_PORT"}
  conf=${conf//"{{TLS_CERT}}"/"${TLS_CERT_FILE:-}"}
  conf=${conf//"{{TLS_KEY}}"/"${TLS_KEY_FILE:-}"}
  [[ $conf != *"{{"* ]] || die "nginx/agentic.conf.template has a placeholder bin/agentic does not fill"
  mkdir -p "$NGINX_PREFIX"
  printf '%s\n' "$conf" >"$NGINX_PREFIX/nginx.conf.new"
  "$NGINX_BIN" -t -q -p "$NGINX_PREFIX" -c "$NGINX_PREFIX/nginx.conf.new" -e "$NGINX_PREFIX/error.log" ||
    die "the rendered Nginx config does not pass nginx -t ($NGINX_PREFIX/nginx.conf.new)"
  mv -f "$NGINX_PREFIX/nginx.conf.new" "$NGINX_PREFIX/nginx.conf"
}

cmd_up() {
  local ingress=$STACK_INGRESSES workers=$STACK_WORKERS force_build=0 i args=()
  while (($# > 0)); do
    case $1 in
      --ingress) ingress=${2:-}; shift 2 || die "--ingress needs a number" ;;
      --ingress=*) ingress=${1#*=}; shift ;;
      --workers) workers=${2:-}; shift 2 || die "--workers needs a number" ;;
      --workers=*) workers=${1#*=}; shift ;;
      --build) force_build=1; shift ;;
      -h | --help) usage; return 0 ;;
      *) die "up: unknown option '$1' (see bin/agentic help)" ;;
    esac
  done
  { is_uint "$ingress" && ((ingress >= 1)); } || die "--ingress must be a number >= 1, was '$ingress'"
  { is_uint "$workers" && ((workers >= 1)); } || die "--workers must be a number >= 1, was '$workers'"

  mkdir -p "$PID_DIR" "$LOG_DIR"
  exec 9>"$RUN_DIR/lock"
  if command -v flock >/dev/null 2>&1 && ! flock -n 9; then
    die "another bin/agentic up/down is in progress"
  fi

  if any_running; then
    say "Already up (run 'bin/agentic down' first to restart with other settings):"
    cmd_status && return 0
    warn "some processes are not healthy; see 'bin/agentic logs', or restart with 'bin/agentic down && bin/agentic up'"
    return 1
  fi
  stop_all # clears stale pid files of a previous run whose processes are gone

  ensure_packages
  find_jdk

  # Every port we are about to use: free, and not used twice.
  local -A wanted=()
  wanted[$AGENTIC_PORT]="AGENTIC_PORT (nginx)"
  wanted_port() { # PORT LABEL
    if [[ -n ${wanted[$1]:-} ]]; then
      die "port $1 is wanted by both ${wanted[$1]} and $2; choose other ports"
    fi
    wanted[$1]=$2
  }
  wanted_port "$AGENTIC_REDIS_PORT" "AGENTIC_REDIS_PORT (redis)"
  wanted_port "$AGENTIC_LLM_PORT" "AGENTIC_LLM_PORT (LLM simulator)"
  if [[ -n $AGENTIC_NGINX_TLS_PORT ]]; then
    is_uint "$AGENTIC_NGINX_TLS_PORT" || die "AGENTIC_NGINX_TLS_PORT must be a port number, not '$AGENTIC_NGINX_TLS_PORT'"
    wanted_port "$AGENTIC_NGINX_TLS_PORT" "AGENTIC_NGINX_TLS_PORT (nginx, TLS)"
  fi
  for ((i = 1; i <= ingress; i++)); do
    wanted_port $((AGENTIC_INGRESS_BASE_PORT + i - 1)) "AGENTIC_INGRESS_BASE_PORT+$((i - 1)) (ingress-$i)"
  done
  for ((i = 1; i <= workers; i++)); do
    wanted_port $((AGENTIC_WORKER_BASE_PORT + i - 1)) "AGENTIC_WORKER_BASE_PORT+$((i - 1)) (worker-$i)"
  done
  check_ports_free() {
    local p owner
    for p in "${!wanted[@]}"; do
      check_port_var "port" "$p"
      if port_in_use "$p"; then
        owner=$(port_owner "$p")
        die "port $p, set by ${wanted[$p]}, is already in use${owner:+ by $owner}; stop that process or choose another port (e.g. export ${wanted[$p]%%[ +]*}=...)"
      fi
    done
  }
  check_ports_free

  if [[ ${AGENTIC_NO_BUILD:-} == 1 ]]; then
    say "Not building (AGENTIC_NO_BUILD=1): starting the jars as they are."
  elif ((force_build)) || needs_build; then
    build
  else
    say "Jars are up to date (use 'up --build' to rebuild anyway)."
  fi
  local ingress_jar worker_jar llm_jar
  ingress_jar=$(jar_of ingress-api)
  worker_jar=$(jar_of worker)
  llm_jar=$(jar_of loadtest)
  for i in "$ingress_jar" "$worker_jar" "$llm_jar"; do
    [[ -f $i ]] || die "the build did not produce $i"
  done
  check_ports_free # again: the build may have taken a while

  ensure_admin_key
  local java=()
  java_command java
  mkdir -p "$REDIS_DIR"
  : >"$SERVICES_FILE"
  trap 'say; warn "interrupted; stopping what was started..."; stop_all; exit 130' INT TERM

  say "Starting (JDK $(java_version "$JAVA_HOME"), logs in $LOG_DIR):"
  launch redis redis "$AGENTIC_REDIS_PORT" "$REDIS_BIN" --port "$AGENTIC_REDIS_PORT" --bind 127.0.0.1 \
    --dir "$REDIS_DIR" --appendonly yes --appendfsync everysec --save "" --daemonize no \
    --maxmemory "$AGENTIC_REDIS_MAXMEMORY" --maxmemory-policy noeviction
  wait_healthy redis redis "$AGENTIC_REDIS_PORT"

  stack_args args "$STACK_LLM_ARGS ${AGENTIC_LLM_ARGS:-}" port="$AGENTIC_LLM_PORT"
  launch llm llm "$AGENTIC_LLM_PORT" "${java[@]}" -jar "$llm_jar" "${args[@]}"
  wait_healthy llm llm "$AGENTIC_LLM_PORT"

  for ((i = 1; i <= workers; i++)); do start_worker "$i"; done
  for ((i = 1; i <= workers; i++)); do
    wait_healthy worker "worker-$i" $((AGENTIC_WORKER_BASE_PORT + i - 1))
  done

  for ((i = 1; i <= ingress; i++)); do start_ingress "$i"; done
  for ((i = 1; i <= ingress; i++)); do
    wait_healthy ingress "ingress-$i" $((AGENTIC_INGRESS_BASE_PORT + i - 1))
  done

  # shellcheck disable=SC2119 # every ingress
  write_nginx_conf
  ln -sf ../nginx/error.log "$LOG_DIR/nginx-error.log"
  ln -sf ../nginx/access.log "$LOG_DIR/nginx-access.log"
  launch nginx nginx "$AGENTIC_PORT" "$NGINX_BIN" -p "$NGINX_PREFIX" -c "$NGINX_PREFIX/nginx.conf" \
    -e "$NGINX_PREFIX/error.log"
  wait_healthy nginx nginx "$AGENTIC_PORT"
  trap - INT TERM

  # The sample corpus of the rag agent: this project's own documentation.
  say "Ingesting the sample corpus (README.md, docs/) for the rag agent..."
  (cd "$ROOT" && cmd_ingest --quiet README.md docs) ||
    warn "the sample corpus was not fully ingested; see 'bin/agentic logs worker'"

  cat <<EOF

Agentic Backend is up at $PUBLIC_URL
  ($ingress ingress $(plural "$ingress" instance), $workers $(plural "$workers" worker), Redis on $AGENTIC_REDIS_PORT, LLM simulator on $AGENTIC_LLM_PORT)

Try it:
  bin/agentic query "What is 2+2?"
  bin/agentic query --agent general "hello"
  bin/agentic query --agent rag "How do I resume a stream after a disconnect?"
  curl -N -H "Authorization: Bearer \$(cat $ADMIN_KEY_FILE)" -H 'Accept: text/event-stream' \\
       -H 'Content-Type: application/json' -d '{"query":"What is 2+2?","agent_type":"math"}' $PUBLIC_URL/api/v1/query

See 'bin/agentic status', 'bin/agentic logs'; stop with 'bin/agentic down'.
EOF
}

cmd_down() {
  mkdir -p "$RUN_DIR"
  exec 9>"$RUN_DIR/lock"
  if command -v flock >/dev/null 2>&1 && ! flock -w 60 9; then
    die "another bin/agentic up/down is still in progress"
  fi
  if ! any_running; then
    stop_all # tidy up stale pid files
    say "Nothing is running."
    return 0
  fi
  say "Stopping:"
  stop_all
  say "All stopped."
}

cmd_logs() {
  local follow=1 lines=50 name="" files=() f
  while (($# > 0)); do
    case $1 in
      --no-follow) follow=0; shift ;;
      -f | --follow) follow=1; shift ;;
      -n) lines=${2:-}; shift 2 || die "-n needs a number" ;;
      -n*) lines=${1#-n}; shift ;;
      -*) die "logs: unknown option '$1'" ;;
      *) name=$1; shift ;;
    esac
  done
  is_uint "$lines" || die "-n must be a number"
  [[ -d $LOG_DIR ]] || die "no logs yet ($LOG_DIR does not exist); start with: bin/agentic up"
  for f in "$LOG_DIR"/"$name"*.log; do
    [[ -e $f ]] && files+=("$f")
  done
  if ((${#files[@]} == 0)); then
    die "no log matches '$name'; there are: $(cd "$LOG_DIR" && for f in *.log; do printf '%s ' "${f%.log}"; done)"
  fi
  if ((follow)); then
    exec tail -n "$lines" -F "${files[@]}"
  else
    tail -n "$lines" "${files[@]}"
  fi
}

