#!/usr/bin/env bash
# Try the project on a fresh Debian 13 ("trixie": Python 3.13, the base of today's Raspberry Pi
# OS) without a second machine: a minimal Debian 13 root made with debootstrap, entered with
# chroot, holding a fresh clone of this repository's committed HEAD.
#
#   tools/debian13-root.sh ROOT             make ROOT once (a few minutes, about 400 MB)
#   tools/debian13-root.sh ROOT run CMD     run the shell command CMD as root in ROOT's /src
#
# Needs root. The Debian mirror is the one this machine's apt uses; the root trusts the same
# certificate authorities and uses the same pip settings, so it reaches what this machine does.
set -euo pipefail

usage() { echo "usage: $0 ROOT [run CMD]" >&2; exit 2; }
[ $# -ge 1 ] || usage
[ "$(id -u)" = 0 ] || { echo "$0: needs root (debootstrap, mount, chroot)" >&2; exit 1; }
root=$(readlink -f "$1"); shift

debian_mirror() {
  local found=""
  if compgen -G "/etc/apt/sources.list.d/*.sources" >/dev/null; then
    found=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' /etc/apt/sources.list.d/*.sources | head -n1)
  fi
  if [ -z "$found" ] && [ -f /etc/apt/sources.list ]; then
    found=$(sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]*\).*/\2/p' /etc/apt/sources.list | head -n1)
  fi
  [ -n "$found" ] || { echo "$0: no Debian mirror in this machine's apt sources" >&2; exit 1; }
  echo "$found"
}

if [ ! -x "$root/usr/bin/python3" ]; then
  if ! command -v debootstrap >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  fi
  mirror=$(debian_mirror)
  mkdir -p "$root"
  echo "making a Debian 13 root in $root from $mirror (log: $root.log)" >&2
  debootstrap --variant=minbase \
    --include=ca-certificates,git,make,procps,python3,python3-venv,sudo \
    trixie "$root" "$mirror" >"$root.log" 2>&1 \
    || { echo "$0: debootstrap failed; see $root.log" >&2; exit 1; }
fi

# What this machine trusts and how it resolves names and finds packages, every time (they may
# have changed since the root was made).
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
cp /etc/resolv.conf "$root/etc/resolv.conf"
if [ -f /etc/pip.conf ]; then cp /etc/pip.conf "$root/etc/pip.conf"; fi
if ! grep -qw "$(hostname)" "$root/etc/hosts" 2>/dev/null; then
  echo "127.0.1.1 $(hostname)" >>"$root/etc/hosts"
fi

[ $# -eq 0 ] && exit 0
[ "$1" = run ] && [ $# -ge 2 ] || usage
shift

mounts=()
unmount_all() {
  local i
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount "${mounts[$i]}" 2>/dev/null || true; done
}
trap unmount_all EXIT
mount_once() {  # mount_once TARGET MOUNT-ARGS...
  local target=$root/$1; shift
  mountpoint -q "$target" && return 0
  mount "$@" "$target"
  mounts+=("$target")
}
mount_once proc -t proc proc
mount_once sys -t sysfs sysfs
mount_once dev --bind /dev
mount_once dev/pts --bind /dev/pts

checkout=$(git rev-parse --show-toplevel)
rm -rf "$root/src"
git clone -q "$checkout" "$root/src"
chroot "$root" /usr/bin/env HOME=/root LANG=C.UTF-8 \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  bash -c "cd /src && $*"
