# shellcheck shell=bash
# bin/lib/common.sh: settings (from config/stack.env and the AGENTIC_* variables) and small helpers.
# Sourced by bin/agentic, which sets ROOT first.
# shellcheck disable=SC2034  # the settings here are read by the other bin/lib files

# Where the state lives; another folder gives a second, separate stack (the end-to-end test uses one).
RUN_DIR=${AGENTIC_RUN_DIR:-$ROOT/.run}
[[ $RUN_DIR == /* ]] || RUN_DIR="$PWD/$RUN_DIR"
PID_DIR="$RUN_DIR/pids"
LOG_DIR="$RUN_DIR/logs"
NGINX_PREFIX="$RUN_DIR/nginx"
REDIS_DIR="$RUN_DIR/redis"
# One line per started process, in start order: "role name port".
SERVICES_FILE="$RUN_DIR/services"
# The admin API key "up" generates once (mode 600); query and bench send it.
ADMIN_KEY_FILE="$RUN_DIR/admin-key"

STACK_ENV="$ROOT/config/stack.env"
# The stack layout (default ports and counts, each role's flags), shared with the end-to-end tests.
# shellcheck source=config/stack.env
source "$STACK_ENV"

AGENTIC_PORT=${AGENTIC_PORT:-$STACK_PORT}
AGENTIC_REDIS_PORT=${AGENTIC_REDIS_PORT:-$STACK_REDIS_PORT}
# Redis's memory ceiling; at it Redis refuses writes (noeviction), never drops keys.
AGENTIC_REDIS_MAXMEMORY=${AGENTIC_REDIS_MAXMEMORY:-1gb}
AGENTIC_LLM_PORT=${AGENTIC_LLM_PORT:-$STACK_LLM_PORT}
AGENTIC_INGRESS_BASE_PORT=${AGENTIC_INGRESS_BASE_PORT:-$STACK_INGRESS_BASE_PORT}
AGENTIC_WORKER_BASE_PORT=${AGENTIC_WORKER_BASE_PORT:-$STACK_WORKER_BASE_PORT}
HEALTH_TIMEOUT=${AGENTIC_HEALTH_TIMEOUT:-90}
STOP_TIMEOUT=${AGENTIC_STOP_TIMEOUT:-20}
# How long "scale" waits for a removed worker or ingress to stop: above the worker's shutdown grace.
SCALE_STOP_TIMEOUT=${AGENTIC_SCALE_STOP_TIMEOUT:-60}
# Per client address, in front of authentication (docs/security.md "Cheap refusals").
AGENTIC_NGINX_CLIENT_RATE=${AGENTIC_NGINX_CLIENT_RATE:-1000}
AGENTIC_NGINX_CLIENT_BURST=${AGENTIC_NGINX_CLIENT_BURST:-2000}
AGENTIC_NGINX_CLIENT_CONNECTIONS=${AGENTIC_NGINX_CLIENT_CONNECTIONS:-5000}
# Who may reach /api/v1/admin through Nginx (addresses or CIDRs, separated by spaces).
AGENTIC_NGINX_ADMIN_ALLOW=${AGENTIC_NGINX_ADMIN_ALLOW:-127.0.0.1 ::1}
# TLS with HTTP/2 on this port too (off when empty), with this certificate and key (PEM); without
# them up makes a self-signed one for localhost and 127.0.0.1 in .run/tls.
AGENTIC_NGINX_TLS_PORT=${AGENTIC_NGINX_TLS_PORT:-}
AGENTIC_NGINX_TLS_CERT=${AGENTIC_NGINX_TLS_CERT:-}
AGENTIC_NGINX_TLS_KEY=${AGENTIC_NGINX_TLS_KEY:-}
# 1: the ingress and worker JVMs run with the OpenTelemetry java agent (traces; docs/operations.md).
AGENTIC_OTEL=${AGENTIC_OTEL:-0}
OTEL_AGENT_VERSION=2.33.1
# Where to look for a JDK 21+ when JAVA_HOME is not one (globs, separated by spaces or colons).
JVM_DIRS=${AGENTIC_JVM_DIRS:-/usr/lib/jvm/* /opt/java/* /opt/jdk*}
MIN_JAVA=21

PUBLIC_URL="http://127.0.0.1:$AGENTIC_PORT"

say() { printf '%s\n' "$*"; }
warn() { printf 'agentic: %s\n' "$*" >&2; }
die() {
  warn "$*"
  exit 1
}


plural() { if (($1 == 1)); then say "$2"; else say "${2}s"; fi; } # COUNT WORD

is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }

check_port_var() { # NAME VALUE
  if ! is_uint "$2" || (($2 < 1 || $2 > 65535)); then
    die "$1=$2 is not a port number (1-65535)"
  fi
}
