# shellcheck shell=bash
# bin/lib/jdk.sh: finds a JDK 21+ (JAVA_HOME, AGENTIC_JVM_DIRS, the java on PATH).
# Sourced by bin/agentic, which sets ROOT and sources common.sh first.

java_version() { # JDK_HOME -> prints the full version, e.g. 25.0.1 (nothing if not a usable JDK)
  local line v
  [[ -x $1/bin/java && -x $1/bin/javac ]] || return 1
  line=$("$1/bin/java" -version 2>&1 | grep -m1 ' version "') || return 1
  v=${line#*\"}
  v=${v%%\"*}
  [[ -n $v ]] && say "$v"
}

java_major() { # VERSION -> major: 25.0.1 -> 25, 1.8.0_402 -> 8, 21-ea -> 21
  local v=$1
  [[ $v == 1.* ]] && v=${v#1.}
  v=${v%%[!0-9]*}
  say "${v:-0}"
}

# Sets JAVA_HOME to a JDK 21+ and puts it first on PATH, or stops explaining how to get one.
find_jdk() {
  local candidates=() seen=" " found=() dir pattern java v best="" best_v="" real
  if [[ -n ${JAVA_HOME:-} ]] && v=$(java_version "$JAVA_HOME") && (($(java_major "$v") >= MIN_JAVA)); then
    best=$JAVA_HOME
  else
    for pattern in ${JVM_DIRS//:/ }; do
      for dir in $pattern; do candidates+=("$dir"); done
    done
    if java=$(command -v java 2>/dev/null); then
      candidates+=("$(dirname "$(dirname "$(readlink -f "$java")")")")
    fi
    for dir in "${candidates[@]}"; do
      real=$(readlink -f "$dir" 2>/dev/null) || continue
      [[ $seen == *" $real "* ]] && continue
      seen+="$real "
      v=$(java_version "$dir") || continue
      found+=("$v ($dir)")
      (($(java_major "$v") >= MIN_JAVA)) || continue
      if [[ -z $best ]] || [[ $(printf '%s\n%s\n' "$best_v" "$v" | sort -V | tail -n1) == "$v" && $v != "$best_v" ]]; then
        best=$dir
        best_v=$v
      fi
    done
  fi
  if [[ -z $best ]]; then
    warn "no JDK $MIN_JAVA or newer found."
    if [[ -n ${JAVA_HOME:-} ]]; then
      warn "  JAVA_HOME=$JAVA_HOME is $(v=$(java_version "$JAVA_HOME") && echo "Java $v, too old" || echo "not a JDK")"
    fi
    warn "  looked in: $JVM_DIRS, and the java on PATH"
    if ((${#found[@]} > 0)); then warn "  found only: ${found[*]}"; fi
    warn "Install one, for example:"
    warn "  Debian 13 / Ubuntu 24.04:  sudo apt-get install -y openjdk-21-jdk"
    warn "  any Debian/Ubuntu:         Eclipse Temurin (apt package temurin-25-jdk from"
    warn "                             https://packages.adoptium.net), see https://adoptium.net/installation/linux/"
    warn "then run this again; if it is installed outside /usr/lib/jvm, point JAVA_HOME at it:"
    warn "  export JAVA_HOME=/path/to/jdk-25"
    exit 1
  fi
  export JAVA_HOME=$best
  export PATH="$JAVA_HOME/bin:$PATH"
  # Maven's own libraries use sun.misc.Unsafe, which JDK 24+ warns about on every run.
  if (($(java_major "$(java_version "$JAVA_HOME")") >= 24)) && [[ ${MAVEN_OPTS:-} != *unsafe-memory-access* ]]; then
    export MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }--sun-misc-unsafe-memory-access=allow"
  fi
}
