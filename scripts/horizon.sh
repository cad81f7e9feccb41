#!/usr/bin/env bash
# Stock Horizon (OpenStack's dashboard, 25.7.3 from PyPI) in a virtualenv of its own, for the
# Horizon test (tests/horizon, `make horizon`). Nothing of Horizon is patched: its settings
# come from our local_settings (tests/horizon/settings/local/local_settings.py).
#
#   scripts/horizon.sh venv                   make the virtualenv when missing; print its path
#   scripts/horizon.sh serve [PORT] [KEYSTONE_URL]
#                                             serve Horizon (runserver) against a novasite
#                                             [8421, http://127.0.0.1:8000/identity/v3]
#
# The virtualenv, with Horizon's static files collected and compressed offline (Horizon's pages
# need them), lives under HORIZON_CACHE [/var/cache/novasite/horizon], outside the clone, in a
# directory named after the hash of the pinned requirements, the local_settings and the
# Python version: a fresh clone reuses it; a change to any of them makes a new one.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
HERE=$ROOT/tests/horizon
REQUIREMENTS=$HERE/requirements.txt
SETTINGS_DIR=$HERE/settings

cache_root() {
    local wanted=${HORIZON_CACHE:-/var/cache/novasite/horizon}
    if mkdir -p "$wanted" 2>/dev/null && [ -w "$wanted" ]; then echo "$wanted"; return; fi
    mkdir -p "$ROOT/var/cache/horizon"  # no root: the clone's own (ignored) var/
    echo "$ROOT/var/cache/horizon"
}

venv_dir() {
    local key
    key=$( { cat "$REQUIREMENTS" "$SETTINGS_DIR/local/local_settings.py"; python3 --version; } | sha256sum | cut -c1-16)
    echo "$(cache_root)/$key"
}

# Horizon's environment: our settings directory first on the path, so that Horizon's
# `from local.local_settings import *` imports ours.
horizon_env() {
    export DJANGO_SETTINGS_MODULE=openstack_dashboard.settings
    export PYTHONPATH=$SETTINGS_DIR
    export HORIZON_STATIC_ROOT=$1/static
    # Horizon 25.7 on this Python warns of its dependencies' deprecations on every start.
    export PYTHONWARNINGS=ignore::DeprecationWarning
}

# pip's notes on this machine's extra (absent) package indexes are noise here.
quiet() { grep -v "^WARNING: Location 'file://" || true; }

make_venv() {
    local dir=$1
    [ -f "$dir/.ready" ] && return 0
    echo "horizon: installing Horizon into $dir" >&2
    rm -rf "$dir"
    python3 -m venv "$dir"
    "$dir/bin/pip" install -q --upgrade pip 2>&1 | quiet >&2
    "$dir/bin/pip" install -q --no-deps -r "$REQUIREMENTS" 2>&1 | quiet >&2
    "$dir/bin/pip" check >&2
    (
        horizon_env "$dir"
        "$dir/bin/python" -W ignore -m django collectstatic --noinput -v 0
        "$dir/bin/python" -W ignore -m django compress --force -v 0
    ) >&2
    touch "$dir/.ready"
}

venv() {
    local dir
    dir=$(venv_dir)
    mkdir -p "$(dirname "$dir")"
    # One install at a time per cache (two runs at once wait for each other's).
    exec 9>"$dir.lock"
    flock 9
    make_venv "$dir"
    flock -u 9
    echo "$dir"
}

case "${1:-}" in
venv)
    venv
    ;;
serve)
    dir=$(venv)
    horizon_env "$dir"
    export HORIZON_KEYSTONE_URL=${3:-http://127.0.0.1:8000/identity/v3}
    # --insecure: runserver serves the collected static files with DEBUG off.
    exec "$dir/bin/python" -m django runserver --insecure --noreload "127.0.0.1:${2:-8421}"
    ;;
*)
    echo "usage: $0 venv | serve [PORT] [KEYSTONE_URL]" >&2
    exit 2
    ;;
esac
