# What a machine needs before Orderly can run: a JDK 21+ and the system's packages, found or installed (as root on
# Debian or Ubuntu; otherwise it says exactly what to install). Sourced by ./orderly and by every bench script, so each
# finds the JDK and the packages the same way. Needs ROOT (the checkout); installs are remembered per state directory.
# shellcheck shell=bash

say() { printf '\033[1morderly:\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31morderly:\033[0m %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------------------------
# What the machine needs

java_major() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }

find_jdk() {
  local candidates=() java major
  [[ -n ${JAVA_HOME:-} ]] && candidates+=("$JAVA_HOME")
  command -v javac >/dev/null 2>&1 && candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  for java in /usr/lib/jvm/*/; do candidates+=("${java%/}"); done
  local best="" best_major=0
  for home in "${candidates[@]}"; do
    [[ -x $home/bin/java && -x $home/bin/javac ]] || continue
    major=$(java_major "$home/bin/java")
    major=${major%%.*}
    [[ $major =~ ^[0-9]+$ ]] || continue
    if (( major >= 21 && major > best_major )); then best=$home best_major=$major; fi
  done
  [[ -n $best ]] && echo "$best"
}

apt_install() {
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    return 1
  fi
  local state=${ORDERLY_STATE_DIR:-$ROOT/.orderly}
  if [[ ! -f $state/.apt-updated ]]; then
    say "apt-get update"
    apt-get update -qq >&2
    mkdir -p "$state" && touch "$state/.apt-updated"
  fi
  say "installing: $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

ensure_jdk() {
  local home
  home=$(find_jdk || true)
  if [[ -z $home ]]; then
    say "no JDK 21 or newer found (JAVA_HOME, PATH, /usr/lib/jvm); trying the system's packages"
    apt_install openjdk-21-jdk-headless 2>/dev/null || apt_install openjdk-25-jdk-headless 2>/dev/null || true
    home=$(find_jdk || true)
  fi
  [[ -n $home ]] || die "Orderly needs a JDK 21 or newer. Install one (e.g. 'apt-get install openjdk-21-jdk-headless', or Temurin 21+) and set JAVA_HOME to it."
  export JAVA_HOME=$home
  export PATH=$JAVA_HOME/bin:$PATH
}

pg_bin() { local d; for d in /usr/lib/postgresql/*/bin; do [[ -x $d/initdb ]] && echo "$d"; done | sort -V | tail -n 1; }
rabbit_bin() { [[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]] && echo /usr/lib/rabbitmq/bin; }

ensure_packages() {
  local missing=()
  [[ -n $(pg_bin) ]] || missing+=(postgresql)
  [[ -n $(rabbit_bin || true) ]] || missing+=(rabbitmq-server)
  # The private CA and the servers' certificates are made with openssl (deploy/tls/make-certificates.sh).
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  if (( ${#missing[@]} )); then
    apt_install "${missing[@]}" || die "Missing: ${missing[*]}. Install with 'sudo apt-get install ${missing[*]}' (Debian/Ubuntu), or run ./orderly as root to have it done."
  fi
}

ensure_test_tools() { # what the deployment tests check the artefacts with, and the browser the console is tested in
  local missing=()
  command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
  command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
  # The silent-network-loss drill drops the private PostgreSQL's packets with iptables (root only).
  if [[ $(id -u) -eq 0 ]] && ! command -v iptables >/dev/null 2>&1 && [[ ! -x /usr/sbin/iptables ]]; then missing+=(iptables); fi
  # The console's browser tests drive Debian's Chromium through its WebDriver (system-tests' Browser); ./orderly top's
  # run in a tmux.
  [[ -x /usr/bin/chromium ]] || missing+=(chromium)
  [[ -x /usr/bin/chromedriver ]] || missing+=(chromium-driver)
  command -v tmux >/dev/null 2>&1 || missing+=(tmux)
  if (( ${#missing[@]} )); then
    apt_install "${missing[@]}" || die "Missing: ${missing[*]}. Install with 'sudo apt-get install ${missing[*]}', or run ./orderly as root."
  fi
}

# Commands a script needs that Debian packages under the same name (wrk, hey, ...): installed if missing.
ensure_commands() {
  local missing=() tool
  for tool in "$@"; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
  if (( ${#missing[@]} )); then
    apt_install "${missing[@]}" || die "Missing: ${missing[*]}. Install with 'sudo apt-get install ${missing[*]}', or run as root."
  fi
}
