#!/usr/bin/env bash
# Makes a Docker engine answer on this machine, for the image scripts in this
# directory: installs docker.io (and debootstrap, for base.sh) from Debian's apt
# when missing, starts dockerd in the background when it is not running (there
# is no systemd here), and waits until `docker info` answers. Idempotent: when
# dockerd already answers it only prints that. Needs root for the first two.
#
# Environment:
#   KUBETUNE_CACHE        cache root (default $HOME/.cache/kubetune); dockerd's
#                         log goes to $KUBETUNE_CACHE/docker/dockerd.log
#   DOCKERD_WAIT_S        how long to wait for the daemon (default 60)
#   DOCKERD_EXTRA_ARGS    extra dockerd arguments (word-split), e.g. --data-root DIR
set -euo pipefail

CACHE_ROOT="${KUBETUNE_CACHE:-$HOME/.cache/kubetune}"
LOG_DIR="$CACHE_ROOT/docker"
LOG="$LOG_DIR/dockerd.log"
WAIT_S="${DOCKERD_WAIT_S:-60}"

t0=$(date +%s.%N)
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f s", b - a }'; }
say() { echo "dockerd.sh: $*" >&2; }

# 1. packages
missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    say "missing ${missing[*]} and not root: install them (apt-get install ${missing[*]})"
    exit 1
  fi
  t=$(date +%s.%N)
  say "installing ${missing[*]} with apt"
  export DEBIAN_FRONTEND=noninteractive
  apt_opts=(-y -q -o DPkg::Lock::Timeout=600)
  apt-get "${apt_opts[@]}" update >/dev/null
  # pigz speeds up layer (de)compression; iptables is what dockerd's bridge needs
  apt-get "${apt_opts[@]}" install --no-install-recommends \
    "${missing[@]}" pigz iptables ca-certificates >/dev/null
  say "apt: $(since "$t")"
fi

answers() { timeout 10 docker info >/dev/null 2>&1; }

# 2. daemon
if answers; then
  say "dockerd already answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
else
  t=$(date +%s.%N)
  pidfile=/var/run/docker.pid
  pid=""
  [[ -f $pidfile ]] && pid="$(cat "$pidfile" 2>/dev/null || true)"
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
    say "dockerd (pid $pid) is starting; waiting"
  else
    if [[ $(id -u) -ne 0 ]]; then
      say "dockerd is not running and this is not root: start it as root"
      exit 1
    fi
    mkdir -p "$LOG_DIR"
    # setsid + nohup: the daemon outlives this script and its terminal
    # shellcheck disable=SC2086
    setsid nohup dockerd ${DOCKERD_EXTRA_ARGS:-} >>"$LOG" 2>&1 </dev/null &
    say "started dockerd (pid $!), log $LOG"
  fi
  deadline=$(($(date +%s) + WAIT_S))
  until answers; do
    if (($(date +%s) > deadline)); then
      say "dockerd did not answer within ${WAIT_S} s; last log lines:"
      tail -n 30 "$LOG" >&2 || true
      exit 1
    fi
    sleep 0.2
  done
  say "dockerd answers after $(since "$t")"
fi
say "total $(since "$t0")"
