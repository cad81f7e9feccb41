#!/usr/bin/env bash
# make fresh-check: the README's two commands on a bare Debian 12, as a newcomer runs them.
#
# 1. A minimal Debian 12 root (debootstrap --variant=minbase, plus only python3, venv, pip,
#    git, make, curl), bootstrapped from Debian's packages once and cached as a tarball in
#    FRESH_CHECK_CACHE, is unpacked afresh into var/fresh-check/root. It holds nothing of this
#    machine but its network's resolver and certificate authorities.
# 2. This repository (its committed HEAD) is cloned into it, with ../shared beside the clone
#    when it exists here.
# 3. Inside the root, in a network namespace of its own (so its PostgreSQL, Redis, API and
#    Flower never meet this machine's; its only way out is a NATed veth pair, for Debian's and
#    PyPI's mirrors), it runs exactly what the README says: `make run`; then, with the openrc
#    that `make run` printed, a token, a server booted to ACTIVE and deleted, through the real
#    `openstack` client; `make stop`; then `make test` (unless FRESH_CHECK_TEST=0).
#
# `fresh-check.sh prepare` installs only what the check needs on this machine (debootstrap,
# iproute2, iptables). Every step prints its duration; the log is var/fresh-check/fresh-check.log. Needs root.
# Environment: FRESH_CHECK_TEST [1], FRESH_CHECK_MIRROR [http://deb.debian.org/debian],
# FRESH_CHECK_CACHE [/var/cache/novasite/fresh-check: outside the clone, shared by every clone],
# FRESH_CHECK_KEEP=1 leaves the root and its mounts in place for a look afterwards;
# FRESH_CHECK_PYTEST_ARGS: what make test's pytest runs in the root (default: the whole suite).
# NOVASITE_REQUIRE_QEMU reaches make test in the root (CI sets it: the qemu tests must run).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/apt.sh
export PATH="$PATH:/usr/sbin:/sbin"

REPO=$(pwd)
# Outside the clone, so that every clone on this machine (CI takes a new one) shares it.
CACHE=${FRESH_CHECK_CACHE:-/var/cache/novasite/fresh-check}
WORK=$REPO/var/fresh-check
ROOTFS=$WORK/root
MIRROR=${FRESH_CHECK_MIRROR:-http://deb.debian.org/debian}
NETNS=novasite-fresh
HOST_IF=nsfresh0 GUEST_IF=nsfresh1 HOST_IP=10.203.0.1 GUEST_IP=10.203.0.2
TARBALL=$CACHE/bookworm-minbase.tar

[ "$(id -u)" -eq 0 ] || { echo "make fresh-check needs root (debootstrap, chroot, a network namespace)" >&2; exit 1; }
apt_install "the fresh-machine check" debootstrap iproute2 iptables
# `fresh-check.sh prepare` installs only those (CI, before running the check beside the suite).
[ "${1:-}" = prepare ] && exit 0

mkdir -p "$CACHE" "$WORK"
exec > >(tee "$WORK/fresh-check.log") 2>&1
. scripts/step.sh

bootstrap() {
    [ -s "$TARBALL" ] && { echo "cached: $TARBALL"; return 0; }
    local scratch=$CACHE/bootstrap
    rm -rf "$scratch"
    debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,git,make,curl,ca-certificates \
        bookworm "$scratch" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 ||
        { tail -20 "$CACHE/debootstrap.log"; return 1; }
    tar -C "$scratch" -cf "$TARBALL.part" . && mv "$TARBALL.part" "$TARBALL"
    rm -rf "$scratch"
}

teardown() {
    mountpoint -q "$ROOTFS" 2>/dev/null && umount -R -l "$ROOTFS"
    ip netns pids "$NETNS" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$NETNS" 2>/dev/null || true
    ip link del "$HOST_IF" 2>/dev/null || true
    iptables -t nat -D POSTROUTING -s "$HOST_IP/30" ! -o "$HOST_IF" -j MASQUERADE 2>/dev/null || true
    iptables -D FORWARD -i "$HOST_IF" -j ACCEPT 2>/dev/null || true
    iptables -D FORWARD -o "$HOST_IF" -j ACCEPT 2>/dev/null || true
}

unpack() {
    teardown
    # Never remove files through a mount that is still there (/dev and /sys are the machine's).
    if grep -q " $ROOTFS[/ ]" /proc/mounts; then
        echo "mounts under $ROOTFS remain after teardown: not removing it" >&2
        return 1
    fi
    rm -rf "$ROOTFS"
    mkdir -p "$ROOTFS"
    tar -C "$ROOTFS" -xf "$TARBALL"
    # The root is a mount point of its own, as / is on a real machine (unshare --mount, which
    # scripts/libvirt.sh uses for its second daemon, changes the propagation of /).
    mount --bind "$ROOTFS" "$ROOTFS"
    mount --rbind /sys "$ROOTFS/sys"
    # A /dev of the root's own, laid out as a machine's: a tmpfs holding copies of the
    # machine's device nodes, a ptmx node with one pts instance of its own beside it (the
    # kernel opens the pts next to the ptmx node: QEMU's serial pty), and a shm (Chromium).
    # Never the machine's /dev itself: what runs in the root must not change the machine's
    # devices (a libvirt in a root with the machine's /dev once replaced its /dev/ptmx). The
    # root's libvirt runs its guests without a private /dev each (LIBVIRT_GUEST_NAMESPACES=0,
    # below): in a chroot it cannot build one that holds both a working pty and /dev/null.
    mount -t tmpfs -o mode=755 dev "$ROOTFS/dev"
    tar -C /dev --exclude=./pts --exclude=./shm --exclude=./ptmx --exclude=./mqueue --exclude=./hugepages \
        -cf - . | tar -C "$ROOTFS/dev" -xf -
    mknod -m 666 "$ROOTFS/dev/ptmx" c 5 2
    mkdir -p "$ROOTFS/dev/pts" "$ROOTFS/dev/shm"
    mount -t devpts -o newinstance,ptmxmode=0666,mode=620,gid=5 devpts "$ROOTFS/dev/pts"
    mount -t tmpfs -o mode=1777 shm "$ROOTFS/dev/shm"
    # This machine's network as a machine of it has it: its resolver, and the certificate
    # authorities its egress proxy presents (installed into the root's trust store below).
    cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
    if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
        cp /usr/local/share/ca-certificates/*.crt "$ROOTFS/usr/local/share/ca-certificates/"
        chroot "$ROOTFS" update-ca-certificates >/dev/null 2>&1
    fi
    # A Debian 12 as its installer leaves it: the release, its updates and security updates.
    printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb http://deb.debian.org/debian-security bookworm-security main\n' \
        "$MIRROR" "$MIRROR" >"$ROOTFS/etc/apt/sources.list"
    echo fresh >"$ROOTFS/etc/hostname"
    printf '127.0.0.1 localhost\n::1 localhost\n127.0.1.1 fresh\n' >"$ROOTFS/etc/hosts"
}

network() {
    ip netns add "$NETNS"
    ip link add "$HOST_IF" type veth peer name "$GUEST_IF"
    ip link set "$GUEST_IF" netns "$NETNS"
    ip addr add "$HOST_IP/30" dev "$HOST_IF"
    ip link set "$HOST_IF" up
    ip netns exec "$NETNS" ip addr add "$GUEST_IP/30" dev "$GUEST_IF"
    ip netns exec "$NETNS" ip link set "$GUEST_IF" up
    ip netns exec "$NETNS" ip link set lo up
    ip netns exec "$NETNS" ip route add default via "$HOST_IP"
    sysctl -qw net.ipv4.ip_forward=1
    iptables -t nat -A POSTROUTING -s "$HOST_IP/30" ! -o "$HOST_IF" -j MASQUERADE
    iptables -I FORWARD -i "$HOST_IF" -j ACCEPT
    iptables -I FORWARD -o "$HOST_IF" -j ACCEPT
}

clone() {
    local home=$ROOTFS/home/novasite
    mkdir -p "$home"
    git clone -q "$REPO" "$home/novasite"
    [ -d "$REPO/../shared" ] && cp -a "$REPO/../shared" "$home/shared"
    # The guest image is built from Debian's packages in the root as well; only its cache is
    # carried over, as a machine that had built it once would have it.
    return 0
}

# The README's commands, run in the root by one shell in its own pid namespace as well (what
# make run starts must outlive each step, and make stop is checked against the root's
# processes only).
readme_commands='set -e
. scripts/step.sh
step "make run" make run
eval "$(make --no-print-directory openrc | grep ^export)"
smoke() {
    .venv/bin/openstack token issue -f value -c id >/dev/null
    .venv/bin/openstack server create --flavor m1.tiny --image cirros --network private --wait fresh-check -f value -c status
    .venv/bin/openstack server delete --wait fresh-check
}
step "a token, a server booted to ACTIVE and deleted (openstack client)" smoke
left() {  # the processes of the cloud still running (not zombies), one "pid state command" each
    local cmdline pid
    for cmdline in $(grep -lsaE "[c]elery|[g]unicorn|[s]upervisord|[c]ompute_worker" /proc/[0-9]*/cmdline); do
        pid=${cmdline#/proc/}; pid=${pid%/cmdline}
        echo "$pid $(cut -d" " -f3 /proc/$pid/stat 2>/dev/null) $(tr "\\0" " " <"$cmdline" | cut -c1-150)"
    done | grep -v "^[0-9]* Z " || true
}
step "make stop" make stop
sleep 2
[ -z "$(left)" ] || { echo "make stop left processes behind:"; left; exit 1; }
if [ "$FRESH_CHECK_TEST" = 1 ]; then step "make test" make test; fi'

# The variables that point clients (pip, requests, git, curl) at the machine's trust store.
TRUST_VARIABLES=(SSL_CERT_FILE SSL_CERT_DIR PIP_CERT REQUESTS_CA_BUNDLE CURL_CA_BUNDLE GIT_SSL_CAINFO)

inside() {
    local passed=() name
    for name in "${TRUST_VARIABLES[@]}"; do [ -n "${!name:-}" ] && passed+=("$name=${!name}"); done
    [ -n "${FRESH_CHECK_PYTEST_ARGS:-}" ] && passed+=("PYTEST_ARGS=$FRESH_CHECK_PYTEST_ARGS")
    ip netns exec "$NETNS" unshare --pid --fork --mount-proc="$ROOTFS/proc" \
        chroot "$ROOTFS" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 FRESH_CHECK_TEST="${FRESH_CHECK_TEST:-1}" NOVASITE_REQUIRE_QEMU="${NOVASITE_REQUIRE_QEMU:-}" LIBVIRT_GUEST_NAMESPACES=0 "${passed[@]}" \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        /bin/bash -c "cd /home/novasite/novasite && $readme_commands"
}

started=$(date +%s)
[ "${FRESH_CHECK_KEEP:-0}" = 1 ] || trap teardown EXIT
step "bootstrap a minimal Debian 12 (cached)" bootstrap
step "unpack a fresh root" unpack
step "give it a network namespace of its own" network
step "clone the repository into it" clone
step "the README's commands in the fresh root" inside
echo "fresh-check passed in $(($(date +%s) - started)) s (log: $WORK/fresh-check.log)"
