#!/usr/bin/env bash
# Two real libvirtd daemons (QEMU driver) on this machine, as two hypervisor hosts, without
# systemd: `scripts/libvirt.sh up|down|status`.
#
#   host 1  qemu:///system, also qemu+tcp://127.0.0.1:16509/system   (the machine's own dirs)
#   host 2  qemu+tcp://127.0.0.1:16510/system   in its own mount and UTS namespace: its
#           /etc/libvirt, /run/libvirt, /var/lib/libvirt, /var/cache/libvirt and
#           /var/log/libvirt are bind mounts of $LIBVIRT_STATE_DIR/d2/*, its hostname is
#           "<hostname>-lv2" (added to /etc/hosts as 127.0.0.1, so a migration can resolve
#           it), and it has its own virtlogd, migration and console port ranges.
#
# Both listen on loopback TCP without authentication (CI only), have a pinned, distinct
# host_uuid (no SMBIOS here, and live migration refuses a peer with the same one) and run
# under `tini -s`, which reaps QEMU's double-forked processes at once (a destroy takes 0.2 s
# instead of 2 s where PID 1 reaps late). The measured recipe and its caveats:
# /work/shared/reference/libvirt-on-this-machine.md.
#
# up      installs the missing Debian packages, starts what is not running, waits until both
#         answer; daemons already running are left alone.
# down    destroys the daemons' running domains, then stops libvirtd and virtlogd by pid.
# status  prints each daemon's state and URI; exits 1 unless both answer.
#
# Environment (defaults in brackets):
#   LIBVIRT_STATE_DIR  config, pid files, logs, host 2's directories [/var/lib/novasite-libvirt]
#   LIBVIRT_PORT1, LIBVIRT_PORT2   TCP ports                     [16509, 16510]
#   LIBVIRT_TIMEOUT    seconds `up` waits for the daemons to answer  [60]
#   LIBVIRT_GUEST_NAMESPACES  0 turns off libvirt's private mount namespace per guest
#                      (qemu.conf `namespaces = []`, written into both daemons' qemu.conf) [1].
#                      make fresh-check sets it: in its chroot, libvirt cannot build a guest's
#                      private /dev (QEMU gets no pty, or no /dev/null and so no image locks).
set -euo pipefail

STATE=${LIBVIRT_STATE_DIR:-/var/lib/novasite-libvirt}
PORT1=${LIBVIRT_PORT1:-16509}
PORT2=${LIBVIRT_PORT2:-16510}
TIMEOUT=${LIBVIRT_TIMEOUT:-60}
GUEST_NAMESPACES=${LIBVIRT_GUEST_NAMESPACES:-1}
PACKAGES=(libvirt-daemon-system libvirt-daemon-driver-qemu qemu-system-x86 qemu-utils libvirt-clients tini)
export PATH="$PATH:/usr/sbin:/sbin"
. "$(dirname "$0")/apt.sh"

usage() { echo "usage: $0 up|down|status" >&2; exit 2; }
[ $# -eq 1 ] || usage
case $1 in up|down|status) ;; *) usage ;; esac

# System daemons, /etc/hosts and namespaces need root: use sudo when it asks no password.
if [ "$(id -u)" -ne 0 ] && [ "$1" != status ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        exec sudo -n --preserve-env=LIBVIRT_STATE_DIR,LIBVIRT_PORT1,LIBVIRT_PORT2,LIBVIRT_TIMEOUT,LIBVIRT_GUEST_NAMESPACES "$0" "$@"
    fi
    echo "$0 needs root (or sudo without a password) to install packages and run libvirtd" >&2
    exit 1
fi

port_of() { if [ "$1" = 1 ]; then echo "$PORT1"; else echo "$PORT2"; fi; }
uri_of() { echo "qemu+tcp://127.0.0.1:$(port_of "$1")/system"; }
hostname_of() { if [ "$1" = 1 ]; then hostname; else echo "$(hostname)-lv2"; fi; }

alive() {  # alive PIDFILE: its process exists and is not a zombie
    local pid
    [ -f "$1" ] && pid=$(cat "$1" 2>/dev/null) && [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
    [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]
}

answers() { timeout 5 virsh -q -c "$(uri_of "$1")" version >/dev/null 2>&1; }

install_missing() { apt_install "the libvirt daemons" "${PACKAGES[@]}"; }

# libvirtd.conf for host N (passed with -f, so the machine's own file stays untouched).
write_config() {
    local n=$1 dir=$STATE/d$1
    [ -s "$dir/host_uuid" ] || cat /proc/sys/kernel/random/uuid >"$dir/host_uuid"
    cat >"$dir/libvirtd.conf" <<EOF
# written by novasite's scripts/libvirt.sh: loopback TCP without authentication, for CI only
listen_tls = 0
listen_tcp = 1
listen_addr = "127.0.0.1"
tcp_port = "$(port_of "$n")"
auth_tcp = "none"
host_uuid = "$(cat "$dir/host_uuid")"
log_outputs = "3:file:$dir/libvirtd.log"
EOF
}

# Host 2's private copies of the directories it bind-mounts over the machine's (made once:
# the configuration is copied, the state directories get the same owners and modes, empty).
prepare_host2_dirs() {
    local d2=$STATE/d2 src dst
    if [ ! -d "$d2/etc" ]; then
        cp -a /etc/libvirt "$d2/etc.tmp" && mv "$d2/etc.tmp" "$d2/etc"
    fi
    for pair in run:/run/libvirt lib:/var/lib/libvirt cache:/var/cache/libvirt log:/var/log/libvirt; do
        dst=$d2/${pair%%:*} src=${pair#*:}
        mkdir -p "$src"
        [ -d "$dst" ] && continue
        (cd "$src" && find . -type d) | while read -r sub; do
            mkdir -p "$dst/$sub"
            chown --reference="$src/$sub" "$dst/$sub"
            chmod --reference="$src/$sub" "$dst/$sub"
        done
    done
    # Its own ports for migration and consoles, so two daemons never pick the same one.
    cat >"$d2/etc/qemu.conf" <<EOF
# written by novasite's scripts/libvirt.sh for the second daemon (host 2)
migration_port_min = 49252
migration_port_max = 49315
remote_display_port_min = 6000
remote_display_port_max = 6099
EOF
    if [ "$GUEST_NAMESPACES" = 0 ]; then echo "namespaces = []" >>"$d2/etc/qemu.conf"; fi
    # Live migration without a migration URI resolves the peer's hostname.
    local name
    name=$(hostname_of 2)
    grep -qE "^[^#]*[[:space:]]$name([[:space:]]|\$)" /etc/hosts || echo "127.0.0.1 $name" >>/etc/hosts
}

start_host() {
    local n=$1 dir=$STATE/d$1
    if alive "$dir/daemon.pid"; then
        echo "libvirt host $n: already running (pid $(cat "$dir/daemon.pid"))"
        return 0
    fi
    if answers "$n"; then
        echo "libvirt host $n: a daemon not started by this script answers at $(uri_of "$n"); left alone"
        return 0
    fi
    write_config "$n"
    # Host 1 reads the machine's qemu.conf (host 2 its own, prepare_host2_dirs).
    if [ "$n" = 1 ] && [ "$GUEST_NAMESPACES" = 0 ] && ! grep -q '^namespaces *= *\[ *\]' /etc/libvirt/qemu.conf; then
        echo "namespaces = []" >>/etc/libvirt/qemu.conf
    fi
    local libvirtd="exec tini -s -- libvirtd --listen -f '$dir/libvirtd.conf' -p '$dir/libvirtd.pid'"
    local virtlogd="virtlogd -d -p '$dir/virtlogd.pid' || true"
    if [ "$n" = 1 ]; then
        # virtlogd serves the machine's /run/libvirt: it refuses to start twice, harmlessly.
        setsid sh -c "echo \$\$ >'$dir/daemon.pid'; $virtlogd; $libvirtd" \
            </dev/null >>"$dir/daemon.out" 2>&1 &
    else
        prepare_host2_dirs
        local d2=$dir mounts=""
        for pair in etc:/etc/libvirt run:/run/libvirt lib:/var/lib/libvirt cache:/var/cache/libvirt log:/var/log/libvirt; do
            mounts+="mount --bind '$d2/${pair%%:*}' '${pair#*:}'; "
        done
        setsid unshare --mount --uts --propagation private -- sh -c \
            "set -e; echo \$\$ >'$dir/daemon.pid'; ${mounts} hostname '$(hostname_of 2)'; $virtlogd; $libvirtd" \
            </dev/null >>"$dir/daemon.out" 2>&1 &
    fi
    echo "libvirt host $n: started, $(uri_of "$n") (log $dir/libvirtd.log)"
}

wait_for_hosts() {
    local deadline=$((SECONDS + TIMEOUT)) n
    for n in 1 2; do
        until answers "$n"; do
            if [ -f "$STATE/d$n/daemon.pid" ] && ! alive "$STATE/d$n/daemon.pid"; then
                echo "libvirt host $n exited at start; its output:" >&2
                tail -n 20 "$STATE/d$n/daemon.out" "$STATE/d$n/libvirtd.log" >&2 2>/dev/null || true
                exit 1
            fi
            if [ $SECONDS -ge $deadline ]; then
                echo "libvirt host $n did not answer at $(uri_of "$n") within ${TIMEOUT} s (log $STATE/d$n/libvirtd.log)" >&2
                exit 1
            fi
            sleep 0.2
        done
    done
}

up() {
    install_missing
    mkdir -p "$STATE/d1" "$STATE/d2"
    # Without udev /dev/kvm is root-only: libvirt then re-probes QEMU on every define (48 s).
    if [ -e /dev/kvm ] && getent group kvm >/dev/null; then
        chown root:kvm /dev/kvm && chmod 0660 /dev/kvm
    fi
    start_host 1
    start_host 2
    wait_for_hosts
    echo "libvirt hosts up: $(uri_of 1) (also qemu:///system) and $(uri_of 2)"
}

stop_pid() {  # stop_pid PIDFILE: TERM, then KILL after 10 s
    local pid
    alive "$1" || { rm -f "$1"; return 0; }
    pid=$(cat "$1")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do alive "$1" || break; sleep 0.1; done
    alive "$1" && kill -KILL "$pid" 2>/dev/null || true
    rm -f "$1"
}

stop_host() {
    local n=$1 dir=$STATE/d$1 dom
    if ! alive "$dir/daemon.pid"; then
        echo "libvirt host $n: not running"
        rm -f "$dir/daemon.pid"
        stop_pid "$dir/virtlogd.pid"
        return 0
    fi
    if answers "$n"; then
        for dom in $(virsh -q -c "$(uri_of "$n")" list --name --state-running --state-paused --state-other); do
            virsh -q -c "$(uri_of "$n")" destroy "$dom" >/dev/null 2>&1 && echo "libvirt host $n: destroyed $dom"
        done
    fi
    stop_pid "$dir/daemon.pid"
    stop_pid "$dir/virtlogd.pid"
    echo "libvirt host $n: stopped"
}

down() {
    stop_host 2
    stop_host 1
}

status() {
    local n state rc=0 dir
    for n in 1 2; do
        dir=$STATE/d$n
        if answers "$n"; then
            if alive "$dir/daemon.pid"; then state="running (pid $(cat "$dir/daemon.pid"))"; else state="running (not started by this script)"; fi
        elif alive "$dir/daemon.pid"; then
            state="started (pid $(cat "$dir/daemon.pid")) but not answering"; rc=1
        else
            state="stopped"; rc=1
        fi
        echo "libvirt host $n: $state, $(uri_of "$n"), hostname $(hostname_of "$n")"
    done
    return $rc
}

case $1 in
    up) up ;;
    down) down ;;
    status) status ;;
esac
