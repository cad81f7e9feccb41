#!/usr/bin/env bash
# Install what novasite needs and is missing: Debian packages (libvirt headers to build
# libvirt-python, qemu-img for guest disks, the noVNC client the console proxy serves, Redis
# when none answers) and the virtualenv.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
need_apt=()
dpkg -s libvirt-dev >/dev/null 2>&1 || need_apt+=(libvirt-dev)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
command -v qemu-img >/dev/null 2>&1 || need_apt+=(qemu-utils)
# manage.py novncproxy serves noVNC from /usr/share/novnc (NOVNC_WEB_DIR), never from a CDN.
[ -f /usr/share/novnc/vnc_lite.html ] || need_apt+=(novnc)
if ! (command -v redis-cli >/dev/null 2>&1 && redis-cli -h 127.0.0.1 ping >/dev/null 2>&1); then
    command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
    echo "installing Debian packages: ${need_apt[*]}"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

stamp="$VENV/.installed"
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
if [ ! -f "$stamp" ] || [ requirements.txt -nt "$stamp" ] || [ requirements-dev.txt -nt "$stamp" ]; then
    "$VENV/bin/pip" install -q --upgrade pip
    "$VENV/bin/pip" install -q -r requirements-dev.txt
    touch "$stamp"
fi
