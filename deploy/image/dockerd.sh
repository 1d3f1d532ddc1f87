#!/usr/bin/env bash
# Makes a Docker engine answer on this machine, for the image scripts in this
# directory: installs docker.io (and debootstrap, for base.sh) from Debian's apt
# when missing, starts dockerd in the background when it is not running (there
# is no systemd here), and waits until `docker info` answers. Idempotent: when
# dockerd already answers it only prints that. Needs root for the first two.
#
# Privileged containers (kind's nodes) need runc-wrapper as docker's default runtime (see that
# file): it is installed under /usr/local/libexec/kubetune and named in /etc/docker/daemon.json
# (other keys there are kept); a running dockerd that lacks it is told to reload (SIGHUP: docker
# reloads `runtimes` and `default-runtime` without a restart, so running containers stay up).
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
command -v jq >/dev/null 2>&1 || missing+=(jq) # runc-wrapper and daemon.json
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

# 2. runtime wrapper (privileged containers)
RUNTIME=kubetune-runc
WRAPPER=/usr/local/libexec/kubetune/runc-wrapper
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ $(id -u) -eq 0 ]]; then
  if ! cmp -s "$HERE/runc-wrapper" "$WRAPPER"; then
    install -D -m 0755 "$HERE/runc-wrapper" "$WRAPPER.tmp" && mv "$WRAPPER.tmp" "$WRAPPER"
  fi
  conf=/etc/docker/daemon.json
  mkdir -p /etc/docker
  [[ -s $conf ]] || echo '{}' >"$conf"
  want="$(jq --arg r "$RUNTIME" --arg p "$WRAPPER" \
    '.runtimes[$r] = {path: $p} | ."default-runtime" = $r' "$conf")"
  if [[ "$want" != "$(jq . "$conf")" ]]; then
    printf '%s\n' "$want" >"$conf.tmp" && mv "$conf.tmp" "$conf"
    say "docker default runtime: $RUNTIME ($WRAPPER) in $conf"
  fi
fi

# 3. daemon
if answers; then
  say "dockerd already answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
  if [[ "$(docker info --format '{{.DefaultRuntime}}' 2>/dev/null)" != "$RUNTIME" && $(id -u) -eq 0 ]]; then
    pid="$(cat /var/run/docker.pid 2>/dev/null || true)"
    [[ -n $pid ]] && kill -HUP "$pid"
    for _ in $(seq 50); do
      [[ "$(docker info --format '{{.DefaultRuntime}}' 2>/dev/null)" == "$RUNTIME" ]] && break
      sleep 0.2
    done
    say "dockerd reloaded its configuration: default runtime $(docker info --format '{{.DefaultRuntime}}')"
  fi
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
