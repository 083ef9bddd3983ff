# shellcheck shell=bash
# bin/lib/build.sh: the Maven build: which jars, whether they are stale, building them; "bin/agentic test".
# Sourced by bin/agentic, which sets ROOT and sources common.sh first.

project_version() { # the <version> right after the root pom's <parent> block
  sed -n '/<\/parent>/,/<\/version>/ s:.*<version>\([^<]*\)</version>.*:\1:p' "$ROOT/pom.xml" | head -n1
}

jar_of() { # MODULE -> path of its runnable jar (which may not exist yet)
  local version
  version=$(project_version)
  if [[ -n $version ]]; then
    say "$ROOT/$1/target/$1-$version-exec.jar"
  else
    # shellcheck disable=SC2012  # newest by mtime; names have no odd characters
    ls -t "$ROOT/$1/target/$1"-*-exec.jar 2>/dev/null | head -n1 || true
  fi
}

needs_build() { # true if a runnable jar is missing or older than any source or pom
  local module jar newer
  for module in ingress-api worker loadtest; do
    jar=$(jar_of "$module")
    [[ -n $jar && -f $jar ]] || return 0
    newer=$(find "$ROOT/pom.xml" "$ROOT"/*/pom.xml "$ROOT"/*/src -type f -newer "$jar" -print -quit 2>/dev/null)
    [[ -z $newer ]] || return 0
  done
  return 1
}

build() {
  say "Building with JDK $(java_version "$JAVA_HOME") ($JAVA_HOME): mvn -B -q install -DskipTests"
  # spotless.skip: starting the system must not reformat anyone's sources.
  if ! (cd "$ROOT" && mvn -B -q install -DskipTests -Dspotless.skip=true); then
    die "the build failed (see above)"
  fi
}

cmd_test() {
  ensure_packages --test
  find_jdk
  cd "$ROOT" || die "cannot enter $ROOT"
  say "Running: mvn -B verify${*:+ $*} (JDK $(java_version "$JAVA_HOME") at $JAVA_HOME)"
  exec mvn -B verify "$@"
}
