#!/usr/bin/env bash
# Builds the base image kubetune/base:bookworm without any container registry:
# `debootstrap --variant=minbase bookworm` from the Debian apt mirror, trimmed
# like Debian's own slim images (no docs/man/locales, no apt caches), imported
# with `docker import`. The root filesystem tarball is cached:
#
#   ${KUBETUNE_CACHE:-$HOME/.cache/kubetune}/images/base-bookworm-<key>.tar
#
# <key> = hash of this script and the mirror. Warm (image present with that key):
# nothing to do. Tarball present, image missing: docker import only (seconds).
# Otherwise debootstrap (about half a minute on 2 cores).
#
# Environment:
#   KUBETUNE_CACHE     cache root (default $HOME/.cache/kubetune)
#   DEBIAN_MIRROR      default http://deb.debian.org/debian (security updates come
#                      from the sibling .../debian-security)
#   BASE_IMAGE         default kubetune/base:bookworm
#   FORCE_BUILD=1      debootstrap again even when the tarball is cached
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE_ROOT="${KUBETUNE_CACHE:-$HOME/.cache/kubetune}"
IMG_DIR="$CACHE_ROOT/images"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SECURITY_MIRROR="${MIRROR%/debian}/debian-security"
IMAGE="${BASE_IMAGE:-kubetune/base:bookworm}"
SUITE=bookworm

t0=$(date +%s.%N)
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f s", b - a }'; }
say() { echo "base.sh: $*" >&2; }

"$HERE/dockerd.sh"

key="$({ cat "${BASH_SOURCE[0]}"; echo "$MIRROR"; } | sha256sum | cut -c1-16)"
tarball="$IMG_DIR/base-$SUITE-$key.tar"

have="$(docker image inspect --format '{{ index .Config.Labels "io.kubetune.base.key" }}' "$IMAGE" 2>/dev/null || true)"
if [[ $have == "$key" && ${FORCE_BUILD:-0} != 1 ]]; then
  say "$IMAGE is up to date (key $key); $(since "$t0")"
  exit 0
fi

if [[ ! -s $tarball || ${FORCE_BUILD:-0} == 1 ]]; then
  [[ $(id -u) -eq 0 ]] || { say "debootstrap needs root"; exit 1; }
  mkdir -p "$IMG_DIR"
  root="$(mktemp -d "$IMG_DIR/rootfs.XXXXXX")"
  # debootstrap mounts proc, sys, dev/pts... inside the target: a failed run may leave them, so
  # unmount whatever is below $root before deleting it, and never cross into another file system
  remove_root() {
    awk -v r="$root/" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r |
      while read -r m; do umount -l "$m" || true; done
    rm -rf --one-file-system "$root" "$root.log"
  }
  trap remove_root EXIT
  t=$(date +%s.%N)
  say "debootstrap --variant=minbase $SUITE from $MIRROR"
  debootstrap --variant=minbase "$SUITE" "$root" "$MIRROR" >"$root.log" 2>&1 || {
    tail -n 30 "$root.log" >&2; exit 1; }
  say "debootstrap: $(since "$t")"

  # What Debian's official slim images do: apt keeps no caches, dpkg skips docs
  cat >"$root/etc/apt/sources.list" <<SOURCES
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
SOURCES
  cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
Acquire::Languages "none";
APT::Install-Recommends "false";
APT
  cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
DPKG
  find "${root:?}/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "${root:?}"/usr/share/{man,groff,info,lintian,linda,locale}/* \
    "${root:?}"/var/lib/apt/lists/* "${root:?}"/var/cache/apt/*.bin \
    "${root:?}"/var/cache/apt/archives/*.deb "${root:?}"/var/log/* "${root:?}"/tmp/* \
    "${root:?}"/dev/* "${root:?}"/proc/* "${root:?}"/sys/*
  # update-alternatives (e.g. openjdk's postinst) wants to place man page links there
  mkdir -p "$root/usr/share/man/man1"
  : >"$root/etc/resolv.conf"; : >"$root/etc/hostname"

  tar --numeric-owner -C "$root" -cf "$tarball.tmp" .
  mv "$tarball.tmp" "$tarball"
  remove_root; trap - EXIT
  # older keys' tarballs are dead weight
  find "$IMG_DIR" -maxdepth 1 -name "base-$SUITE-*.tar" ! -name "$(basename "$tarball")" -delete
  say "tarball $tarball ($(du -h "$tarball" | cut -f1))"
fi

t=$(date +%s.%N)
docker import \
  --change "LABEL io.kubetune.base.key=$key" \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["/bin/bash"]' \
  "$tarball" "$IMAGE" >/dev/null
say "docker import: $(since "$t")"
say "$IMAGE: $(docker image inspect --format '{{.Size}}' "$IMAGE" | awk '{ printf "%.0f MB", $1 / 1e6 }'); total $(since "$t0")"
