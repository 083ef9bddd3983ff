# shellcheck shell=bash
# bin/lib/help.sh: the text of "bin/agentic help".
# Sourced by bin/agentic, which sets ROOT and sources common.sh first.

usage() {
  cat <<EOF
Usage: bin/agentic COMMAND [ARGS]

Commands:
  up [--ingress N] [--workers M] [--build]
                  Build if needed, then start Redis, the LLM simulator, M workers (default $STACK_WORKERS),
                  N ingress instances (default $STACK_INGRESSES) and Nginx, waiting until each is healthy.
                  --build rebuilds even when the jars look up to date. The first run generates
                  an admin API key into .run/admin-key (mode 600) and prints it once.
  status          One line per process: role, name, pid, port and health (up/down/dead).
  query [--agent A] [--json | --raw] [--] TEXT
                  Send TEXT to agent A (default: math) through Nginx and print the answer as
                  it streams: its text on stdout, the other events ([started by ...], tool
                  calls, [done ...]) on stderr; exit 3 if it ends in an error event. --raw
                  prints the SSE frames as they arrive; --json waits for the JSON answer.
                  (query and ingest run a Java client from the loadtest jar: they need the
                  build and a JDK, and print any Unicode as it is.)
  ingest [--quiet] PATH...
                  Add documents to the knowledge base of the rag agent: each file, or every
                  .md/.markdown/.txt under each directory (id = the path as given; ingesting it
                  again replaces it). "up" ingests README.md and docs/ itself.
  logs [--no-follow] [-n LINES] [NAME]
                  Tail the logs (all, or NAME: redis, llm, worker-1, ingress-2, nginx, or a
                  prefix such as "worker"). Follows them until Ctrl-C unless --no-follow.
  scale workers N | scale ingress N
                  Change a running stack: start the missing instances (numbered as "up" numbers
                  them, on base port + i - 1) or stop the highest-numbered ones. Nginx is
                  reloaded with the new ingress list (open streams stay on the processes that
                  hold them); a removed worker drains (finishes its jobs within its shutdown
                  grace, hands the rest back); a removed ingress leaves Nginx first, then ends its
                  streams with a retryable error the clients resume elsewhere.
  rollout [all|ingress|workers]
                  Restart every ingress, then every worker, one at a time (e.g. after a build, to
                  run the new jars), the rest serving meanwhile: nothing accepted is lost.
  down            Stop everything "up" started (SIGTERM, then SIGKILL after ${STOP_TIMEOUT}s).
  bench [--quick] [--only=a,b] [--reps=N] [--out=FILE]
                  The benchmark harness against the running stack: calibration (redis-benchmark),
                  queue hop, throughput (Nginx, one ingress, the BullMQ peer), relay, scaling and
                  streams held, each the median of N runs with the CPU of every process; a table
                  and a JSON file. --quick takes about a minute. See docs/benchmarks.md.
  bench admission [--requests=N]
                  Admission overhead per request (API key, budget, rate, stream permit, queue
                  depth; p50/p99 from the ingresses' own timers) against a Redis PING baseline.
  test [MVN ARGS] Run the whole test suite: mvn -B verify [MVN ARGS] (with a JDK ${MIN_JAVA}+).
  help            This text.

Environment (defaults in brackets):
  AGENTIC_PORT [$STACK_PORT]               public port (Nginx): $PUBLIC_URL
  AGENTIC_REDIS_PORT [$STACK_REDIS_PORT]         our own redis-server (the system one is never used)
  AGENTIC_REDIS_MAXMEMORY [1gb]     its maxmemory (e.g. 512mb, 4gb); policy noeviction: when full,
                                    new work gets 503 redis_full, no key is ever evicted
  AGENTIC_LLM_PORT [$STACK_LLM_PORT]           LLM simulator
  AGENTIC_LLM_ARGS                  more simulator flags, after config/stack.env's (the last of a
                                    name wins), e.g. "--inter-token=100ms" for answers of 4 s
  AGENTIC_INGRESS_BASE_PORT [$STACK_INGRESS_BASE_PORT]  ingress instance i listens on base+i-1
  AGENTIC_WORKER_BASE_PORT [$STACK_WORKER_BASE_PORT]   worker i serves health/metrics on base+i-1
  AGENTIC_HEALTH_TIMEOUT [90]       seconds each process may take to become healthy
  AGENTIC_STOP_TIMEOUT [20]         seconds "down" waits before SIGKILL
  AGENTIC_SCALE_STOP_TIMEOUT [60]   seconds "scale" waits for a removed instance to stop (a worker
                                    drains first: keep it above agentic.worker.shutdown-grace)
  AGENTIC_NGINX_CLIENT_RATE [1000]  requests/s one client address may send through Nginx (then 429)
  AGENTIC_NGINX_CLIENT_BURST [2000] requests above that rate one address may send at once
  AGENTIC_NGINX_CLIENT_CONNECTIONS [5000]
                                    connections (streams included) one address may hold (then 429)
  AGENTIC_NGINX_ADMIN_ALLOW [127.0.0.1 ::1]
                                    addresses/CIDRs that may reach /api/v1/admin through Nginx (403)
  AGENTIC_NGINX_TLS_PORT            also serve TLS with HTTP/2 on this port [off]
  AGENTIC_NGINX_TLS_CERT, AGENTIC_NGINX_TLS_KEY
                                    its PEM certificate and key [a self-signed one in .run/tls]
  AGENTIC_OTEL [0]                  1: ingress and workers run with the OpenTelemetry java agent
                                    (traces to OTEL_EXPORTER_OTLP_ENDPOINT, else into their logs)
  AGENTIC_JAVA_OPTS                 extra JVM options for the Java services [after $STACK_JAVA_OPTS]
  AGENTIC_JVM_DIRS                  where to look for a JDK when JAVA_HOME is not ${MIN_JAVA}+
                                    [/usr/lib/jvm/* /opt/java/* /opt/jdk*]
  JAVA_HOME                         used if it is a JDK ${MIN_JAVA}+; otherwise the newest one found
  AGENTIC_API_KEY                   API key "query", "ingest", "bench" send [the one in .run/admin-key]
  AGENTIC_RUN_DIR [.run]            the state folder (pid files, logs, Nginx prefix, Redis data,
                                    admin key); .run/ at the repository root unless set
  AGENTIC_NO_BUILD                  if 1, "up" never builds (nor needs Maven): it starts the jars as
                                    they are, even when sources are newer, and fails if one is missing

State (pid files, logs, Nginx prefix, Redis data) lives in $RUN_DIR.
The stack layout (default ports and counts, each role's flags) is config/stack.env.

Example:
  bin/agentic up && bin/agentic query "What is 2+2?" && bin/agentic down
EOF
}
