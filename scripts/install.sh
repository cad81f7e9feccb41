#!/usr/bin/env bash
# Install what novasite needs and is missing, idempotently, printing what it installs and how
# long it took: the Debian packages that building the virtualenv needs (a C compiler and
# Python's headers, libvirt's headers and pkg-config for libvirt-python, venv), qemu-img for
# guest disks, the noVNC client the console proxy serves, Redis when none answers, and the
# virtualenv itself. PostgreSQL, RabbitMQ, the libvirt daemons and Chromium are installed by
# the scripts that start them (services.sh, libvirt.sh, chromium.sh), when a command needs them.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/apt.sh

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
command -v "$PYTHON" >/dev/null 2>&1 || { echo "novasite needs Python 3.11 ($PYTHON): apt-get install python3, or set PYTHON" >&2; exit 1; }

packages=(libvirt-dev pkg-config qemu-utils)
command -v cc >/dev/null 2>&1 || packages+=(gcc libc6-dev)
"$PYTHON" - <<'PY' || packages+=(python3-dev)
import os, sys, sysconfig
sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))
PY
[ -x "$VENV/bin/python" ] || "$PYTHON" -c "import ensurepip" 2>/dev/null || packages+=(python3-venv)
# manage.py novncproxy serves noVNC from /usr/share/novnc (NOVNC_WEB_DIR), never from a CDN.
[ -f /usr/share/novnc/vnc_lite.html ] || packages+=(novnc)
if ! (command -v redis-cli >/dev/null 2>&1 && redis-cli -h 127.0.0.1 ping >/dev/null 2>&1); then
    command -v redis-server >/dev/null 2>&1 || packages+=(redis-server)
fi
apt_install "the virtualenv, guest disks and the console proxy" "${packages[@]}"

stamp="$VENV/.installed"
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
if [ ! -f "$stamp" ] || [ requirements.txt -nt "$stamp" ] || [ requirements-dev.txt -nt "$stamp" ]; then
    started=$(date +%s)
    echo "installing the virtualenv's packages (requirements-dev.txt) into $VENV"
    "$VENV/bin/pip" install -q --upgrade pip
    "$VENV/bin/pip" install -q -r requirements-dev.txt
    touch "$stamp"
    echo "installed the virtualenv in $(($(date +%s) - started)) s"
fi
