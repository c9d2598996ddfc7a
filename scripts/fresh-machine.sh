#!/usr/bin/env bash
# fresh-machine.sh — proves the README's two commands on a bare Debian 12.
#
#   scripts/fresh-machine.sh [--keep]
#
# Builds a minimal bookworm root with mmdebstrap (only git, make, sudo, curl and
# ca-certificates on top of the minimal base), clones this repository's committed
# HEAD into it with nothing beside it, and inside that root, as a new user would:
#   1. `make run` until /about.json answers, then stops the server by its pid;
#   2. `make test`, which must pass.
# Both commands install every Debian and npm package they need themselves; the
# script only makes the root usable as a machine (/proc, /sys, /dev, name
# resolution, the network's extra CA certificates).  It prints the time each step
# took.  Needs root (mmdebstrap, chroot, mounts) and Debian's package mirrors.
#
# Environment:
#   FRESH_DIR     where the root is made (default /var/tmp); removed at the end
#                 unless --keep is given
#   FRESH_PORT    the port `make run` serves on inside the root (default: a free one)
#   FRESH_MIRROR  the Debian mirror (default: mmdebstrap's, deb.debian.org)
set -euo pipefail

keep=0
[ "${1:-}" = --keep ] && keep=1
repo=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" -eq 0 ] || { echo "fresh-machine.sh: needs root (mmdebstrap, chroot, mount)" >&2; exit 2; }

if ! command -v mmdebstrap >/dev/null; then
  echo "== installing mmdebstrap"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null
fi

stamp() { date +%s; }
elapsed() { local s=$(( $(stamp) - $1 )); printf '%dm%02ds' $((s / 60)) $((s % 60)); }

# Everything below runs in a private mount namespace: the root's /proc, /sys and
# /dev mounts vanish with it, whatever way the script ends.
if [ -z "${FRESH_ROOT:-}" ]; then
  root=$(mktemp -d "${FRESH_DIR:-/var/tmp}/stats-fresh.XXXXXX")
  chmod 755 "$root"
  mkdir -p "$root.logs"
  status=0
  FRESH_ROOT="$root" unshare --mount --propagation private --fork bash "$0" "$@" || status=$?
  # Processes started inside the root that outlived the run (none should).
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && kill -KILL "${p#/proc/}" 2>/dev/null
  done
  if [ "$keep" -eq 1 ] || [ "$status" -ne 0 ]; then
    echo "fresh-machine.sh: root kept in $root, logs in $root.logs"
  else
    rm -rf "$root" "$root.logs"
  fi
  exit "$status"
fi
root=$FRESH_ROOT
logs=$root.logs

t0=$(stamp)
echo "== mmdebstrap: a minimal Debian 12 in $root"
mirror=()
[ -n "${FRESH_MIRROR:-}" ] && mirror=("$FRESH_MIRROR")
mmdebstrap --variant=minbase --include=git,make,sudo,curl,ca-certificates \
  bookworm "$root" "${mirror[@]}" >"$logs/mmdebstrap.log" 2>&1 \
  || { tail -n 20 "$logs/mmdebstrap.log"; exit 1; }
t_root=$(elapsed "$t0")

# What makes a folder a machine, not part of the project: kernel file systems, the
# host's name resolution, /etc/hosts as the installer writes it, and — where the
# registries are reached through a TLS-inspecting proxy — the network's CA
# certificates.  Services that packages try to start on installation (PostgreSQL)
# would run outside any init system here: policy-rc.d keeps them down, as in
# Debian's own build chroots; the tests start the servers they need themselves.
mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --rbind /dev "$root/dev"
mount -t tmpfs -o mode=1777 shm "$root/dev/shm"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  chroot "$root" update-ca-certificates >/dev/null 2>&1
fi

git clone --quiet --no-local "$repo" "$root/root/stats-service"
in_root() {
  chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    ${PORT:+PORT=$PORT} ${CI:+CI=$CI} "$@"
}

port=${FRESH_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 5000)}
echo "== make run (port $port)"
t1=$(stamp)
PORT=$port in_root make -C /root/stats-service run >"$logs/make-run.log" 2>&1 &
make_pid=$!
up=0
for _ in $(seq 1 1800); do  # package installs, npm and the build: up to 30 minutes
  if curl -fsS "http://127.0.0.1:$port/about.json" >"$logs/about.json" 2>/dev/null; then up=1; break; fi
  kill -0 "$make_pid" 2>/dev/null || break
  sleep 1
done
if [ "$up" -ne 1 ]; then
  echo "make run: /about.json never answered"; tail -n 30 "$logs/make-run.log"; exit 1
fi
t_run=$(elapsed "$t1")
grep -q '"version"' "$logs/about.json" || { echo "make run: /about.json: $(cat "$logs/about.json")"; exit 1; }
# The server is the one process of the root named stats-service: stop it by its pid.
server_pid=""
for p in /proc/[0-9]*; do
  [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] || continue
  [ "$(cat "$p/comm" 2>/dev/null)" = stats-service ] && server_pid=${p#/proc/}
done
[ -n "$server_pid" ] || { echo "make run: no stats-service process in the root"; exit 1; }
kill -TERM "$server_pid"
wait "$make_pid" 2>/dev/null || true
echo "   served /about.json after $t_run; stopped pid $server_pid"

echo "== make test"
t2=$(stamp)
if ! CI=${CI:-} in_root make -C /root/stats-service test >"$logs/make-test.log" 2>&1; then
  echo "make test failed after $(elapsed "$t2"):"; tail -n 60 "$logs/make-test.log"; exit 1
fi
t_test=$(elapsed "$t2")
sed -n '/^== summary/,$p' "$logs/make-test.log"

echo "== fresh machine: root $t_root, make run $t_run, make test $t_test (total $(elapsed "$t0"))"
