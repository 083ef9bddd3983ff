# shellcheck shell=bash
# bin/lib/packages.sh: finds redis-server, nginx, curl and mvn (and, for the tests, promtool and chromium),
# or installs them with apt-get as root.
# Sourced by bin/agentic, which sets ROOT and sources common.sh first.

# Found by ensure_packages; "up" starts them.
# shellcheck disable=SC2034  # read by stack.sh
REDIS_BIN=""
# shellcheck disable=SC2034  # read by stack.sh
NGINX_BIN=""

find_bin() { # NAME -> prints its path (also looks in the sbin folders, which a user's PATH may lack)
  local dir
  if command -v "$1" >/dev/null 2>&1; then
    command -v "$1"
    return 0
  fi
  for dir in /usr/sbin /usr/local/sbin /sbin /usr/bin /usr/local/bin; do
    if [[ -x $dir/$1 ]]; then
      say "$dir/$1"
      return 0
    fi
  done
  return 1
}

nginx_package() { # Debian 12 has nginx-light; newer releases only have nginx.
  if apt-cache show nginx-light >/dev/null 2>&1; then say nginx-light; else say nginx; fi
}

ensure_packages() {
  local missing=() packages=() pkg
  find_bin redis-server >/dev/null || missing+=(redis-server)
  find_bin nginx >/dev/null || missing+=(nginx)
  find_bin curl >/dev/null || missing+=(curl)
  # The benchmark harness: redis-benchmark for its calibration, Node for the BullMQ peer it compares with.
  find_bin redis-benchmark >/dev/null || missing+=(redis-tools)
  find_bin node >/dev/null || missing+=(nodejs)
  find_bin npm >/dev/null || missing+=(npm)
  [[ ${AGENTIC_NO_BUILD:-} == 1 ]] || find_bin mvn >/dev/null || missing+=(mvn)
  # The test suite also checks the alert rules with promtool (Debian's prometheus package). kubectl,
  # which renders k8s/, comes with the machine: no Debian package carries it.
  if [[ ${1:-} == --test ]]; then
    find_bin promtool >/dev/null || missing+=(prometheus)
    # The dashboard's browser tests drive Debian's Chromium with playwright-core (never a downloaded browser).
    find_bin chromium >/dev/null || missing+=(chromium)
    find_bin kubectl >/dev/null ||
      warn "kubectl is missing: the k8s/ checks are skipped (they fail under CI=true). See https://kubernetes.io/docs/tasks/tools/"
  fi
  if ((${#missing[@]} > 0)); then
    for pkg in "${missing[@]}"; do
      case $pkg in
        nginx) packages+=("$(nginx_package)") ;;
        mvn) packages+=(maven) ;;
        *) packages+=("$pkg") ;;
      esac
    done
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
      say "Installing what is missing (${missing[*]}) with apt-get..."
      apt-get update -qq
      # Debian's nginx package may start a system nginx on port 80; ours is separate.
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" ||
        die "apt-get install ${packages[*]} failed"
    else
      warn "missing: ${missing[*]}. Install with:"
      warn "  sudo apt-get update && sudo apt-get install -y ${packages[*]}"
      warn "(or your distribution's equivalent), then run this again."
      exit 1
    fi
  fi
  REDIS_BIN=$(find_bin redis-server) || die "redis-server is still missing"
  NGINX_BIN=$(find_bin nginx) || die "nginx is still missing"
  find_bin curl >/dev/null || die "curl is still missing"
  [[ ${AGENTIC_NO_BUILD:-} == 1 ]] || find_bin mvn >/dev/null || die "mvn is still missing"
}
