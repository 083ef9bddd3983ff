# shellcheck shell=bash
# bin/lib/client.sh: query and ingest (the Java CLI in the loadtest jar) and bench.
# Sourced by bin/agentic, which sets ROOT and sources common.sh first.

# Runs the Java client (dev.agentic.loadtest.cli.AgenticCli, from the loadtest jar) with the public URL
# and the admin key file; it sends $AGENTIC_API_KEY instead when that is set.
agentic_cli() { # COMMAND ARGS...
  local jar
  find_jdk
  jar=$(jar_of loadtest)
  [[ -n $jar && -f $jar ]] || die "the loadtest jar is missing${jar:+ ($jar)}: run 'bin/agentic up' (or mvn package) first"
  # Arguments reach Java as bytes, decoded with the locale's charset: a UTF-8 locale keeps any
  # non-ASCII query text intact whatever the caller's locale (Java prints UTF-8 in any case).
  LC_ALL=C.UTF-8 "$JAVA_HOME/bin/java" -XX:TieredStopAtLevel=1 -cp "$jar" \
    -Dloader.main=dev.agentic.loadtest.cli.AgenticCli org.springframework.boot.loader.launch.PropertiesLauncher \
    --url="$PUBLIC_URL" --key-file="$ADMIN_KEY_FILE" "$@"
}

# The answer as it streams: text on stdout, other events on stderr; exit 3 on an error event.
cmd_query() {
  case ${1:-} in -h | --help) usage; return 0 ;; esac
  agentic_cli query "$@"
}

# Files, or the .md/.markdown/.txt files under directories, into the rag agent's knowledge base.
cmd_ingest() {
  case ${1:-} in -h | --help) usage; return 0 ;; esac
  agentic_cli ingest "$@"
}

# The benchmark harness (dev.agentic.loadtest.bench.Bench) against the running stack, or with
# "admission" the admission-overhead benchmark; see docs/benchmarks.md.
cmd_bench() {
  local jar main=dev.agentic.loadtest.bench.Bench
  find_jdk
  jar=$(jar_of loadtest)
  [[ -n $jar && -f $jar ]] || die "the loadtest jar is missing${jar:+ ($jar)}: run 'bin/agentic up' (or mvn package) first"
  curl -sf -o /dev/null "$PUBLIC_URL/api/v1/monitoring/ready" || die "nothing ready at $PUBLIC_URL: run bin/agentic up first"
  AGENTIC_API_KEY=$(api_key) || exit 1
  export AGENTIC_API_KEY # read by the benchmark; kept off its command line
  local args=(--run-dir="$RUN_DIR" --url="$PUBLIC_URL" --redis-port="$AGENTIC_REDIS_PORT"
    --llm-port="$AGENTIC_LLM_PORT" --peer-dir="$ROOT/loadtest/peers/bullmq")
  if [[ ${1:-} == admission ]]; then
    shift
    main=dev.agentic.loadtest.bench.AdmissionBenchmark
    args=(--url="$PUBLIC_URL" --redis="127.0.0.1:$AGENTIC_REDIS_PORT"
      --ingresses="$(awk '$1 == "ingress" { printf "%shttp://127.0.0.1:%s", sep, $3; sep = "," }' "$SERVICES_FILE")")
  fi
  # Thousands of streams need as many descriptors as the hard limit allows.
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  exec "$JAVA_HOME/bin/java" -cp "$jar" -Dloader.main="$main" \
    org.springframework.boot.loader.launch.PropertiesLauncher "${args[@]}" "$@"
}
