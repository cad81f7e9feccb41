#!/usr/bin/env bash
# `make conformance`: Tempest 47.0.0's tempest.api.compute against a live novasite of its own.
#
# The cloud is started as `make run` starts one (honcho, conductor/Procfile: gunicorn,
# conductor, scheduler, two compute workers, beat) but isolated, so it runs beside `make run`
# and the test suite: its own PostgreSQL database (dropped and made afresh), its own Redis
# database and key prefix, its own port and its own var/conformance/. It is always stopped.
#
# Variables (defaults in brackets):
#   CONFORMANCE_THRESHOLD [95]     lowest pass rate (passed / (passed + failed)), in percent
#   CONFORMANCE_LEAKS [fail]       fail, or report: what to do when the run leaves resources behind
#   CONFORMANCE_CONCURRENCY [2]    Tempest workers
#   CONFORMANCE_REGEX [^tempest\.api\.compute\.]   which tests (a narrower one for a quick look)
#   CONFORMANCE_BUILD_TIMEOUT [120] seconds Tempest waits for a server, image or volume
#   CONFORMANCE_PORT [8779], CONFORMANCE_DATABASE_URL [.../novasite_conformance],
#   CONFORMANCE_BROKER_URL [redis://127.0.0.1:6379/13], CONFORMANCE_ADMIN_PASSWORD [secret]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

THRESHOLD=${CONFORMANCE_THRESHOLD:-95}
LEAKS=${CONFORMANCE_LEAKS:-fail}
CONCURRENCY=${CONFORMANCE_CONCURRENCY:-2}
REGEX=${CONFORMANCE_REGEX:-'^tempest\.api\.compute\.'}
BUILD_TIMEOUT=${CONFORMANCE_BUILD_TIMEOUT:-120}
export CONFORMANCE_PORT=${CONFORMANCE_PORT:-8779}
export CONFORMANCE_VAR=$ROOT/var/conformance
URL=http://127.0.0.1:$CONFORMANCE_PORT
PY=$ROOT/.venv/bin/python
TEMPEST_VENV=$ROOT/.tempest-venv
TPY=$TEMPEST_VENV/bin/python
WORKSPACE=$CONFORMANCE_VAR/workspace

# The cloud's environment: every process of it, and the seeding and inventory commands.
export DJANGO_SETTINGS_MODULE=novasite.settings
export DATABASE_URL=${CONFORMANCE_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/novasite_conformance}
export CELERY_BROKER_URL=${CONFORMANCE_BROKER_URL:-redis://127.0.0.1:6379/13}
export CELERY_KEY_PREFIX=conformance:
export ADMIN_PASSWORD=${CONFORMANCE_ADMIN_PASSWORD:-secret}
export PUBLIC_ENDPOINT=$URL
export IMAGE_DIR=$CONFORMANCE_VAR/images INSTANCES_DIR=$CONFORMANCE_VAR/instances VOLUME_DIR=$CONFORMANCE_VAR/volumes
export LOG_LEVEL=INFO

say() { echo "conformance: $*"; }

# 1. Tempest in its own virtualenv, made with the machine's python3.
if [ ! -x "$TPY" ] || [ conformance/requirements.txt -nt "$TEMPEST_VENV/.installed" ]; then
    say "installing Tempest into $TEMPEST_VENV"
    python3 -m venv "$TEMPEST_VENV"
    "$TEMPEST_VENV/bin/pip" install -q --upgrade pip
    "$TEMPEST_VENV/bin/pip" install -q -r conformance/requirements.txt
    touch "$TEMPEST_VENV/.installed"
fi
"$PY" -m conformance.skips conformance/skips.txt >/dev/null  # every entry has a reason

# 2. A fresh database, broker namespace and var/conformance/.
if curl -s -o /dev/null "$URL/"; then
    echo "port $CONFORMANCE_PORT is in use: another conformance run? (set CONFORMANCE_PORT)" >&2
    exit 1
fi
flush_broker() {
    "$PY" -c 'import os, redis; c = redis.Redis.from_url(os.environ["CELERY_BROKER_URL"])
for key in c.scan_iter(match=os.environ["CELERY_KEY_PREFIX"] + "*"): c.delete(key)'
}
rm -rf "$CONFORMANCE_VAR"
mkdir -p "$CONFORMANCE_VAR" "$WORKSPACE/etc" "$WORKSPACE/locks" "$WORKSPACE/logs"
flush_broker
"$PY" -m conformance.cloud reset-db
"$PY" manage.py migrate --noinput -v 0
"$PY" -m conformance.cloud seed "$CONFORMANCE_VAR/facts.json"
"$PY" -m conformance.cloud inventory "$CONFORMANCE_VAR/inventory-seeded.json"

# 3. The cloud, stopped on every way out.
HONCHO_PID=""
tree() {  # tree PID: the ids of every descendant of PID
    local child
    for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do echo "$child"; tree "$child"; done
}
stop_cloud() {
    [ -n "$HONCHO_PID" ] || return 0
    local processes pid left=""
    processes=$(tree "$HONCHO_PID")
    kill -TERM "$HONCHO_PID" 2>/dev/null || true  # honcho stops each process it started
    for _ in $(seq 1 60); do kill -0 "$HONCHO_PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$HONCHO_PID" 2>/dev/null || true
    wait "$HONCHO_PID" 2>/dev/null || true
    HONCHO_PID=""
    for pid in $processes; do kill -KILL "$pid" 2>/dev/null && left="$left $pid"; done
    [ -z "$left" ] || echo "conformance: killed what outlived honcho:$left" >&2
    flush_broker || true
    say "cloud stopped"
}
trap stop_cloud EXIT
trap 'exit 130' INT TERM
say "starting the cloud on $URL (logs: $CONFORMANCE_VAR/cloud.log)"
setsid "$ROOT/.venv/bin/honcho" start -f conformance/Procfile -d "$ROOT" >"$CONFORMANCE_VAR/cloud.log" 2>&1 </dev/null &
HONCHO_PID=$!
for _ in $(seq 1 120); do curl -s -o /dev/null "$URL/identity/v3" && break; sleep 0.5; done

# 4. tempest.conf from the cloud, the skip list as stestr's exclude list.
"$PY" -m conformance.tempest_conf --url "$URL" --facts "$CONFORMANCE_VAR/facts.json" \
    --features conformance/features.conf --workspace "$WORKSPACE" --out "$WORKSPACE/etc/tempest.conf" \
    --admin-password "$ADMIN_PASSWORD" --computes 2 --build-timeout "$BUILD_TIMEOUT"

# 5. The run. Tempest's own output goes to var/conformance/tempest.log; its debug log to
#    workspace/logs/tempest.log; the subunit stream to var/conformance/results.subunit.
say "tempest run --regex '$REGEX' --concurrency $CONCURRENCY (output: $CONFORMANCE_VAR/tempest.log)"
started=$(date +%s)
(cd "$WORKSPACE" && "$TEMPEST_VENV/bin/tempest" run --config-file "$WORKSPACE/etc/tempest.conf" \
    --regex "$REGEX" --exclude-list "$ROOT/conformance/skips.txt" --concurrency "$CONCURRENCY") \
    >"$CONFORMANCE_VAR/tempest.log" 2>&1 || true
elapsed=$(( $(date +%s) - started ))
(cd "$WORKSPACE" && "$TEMPEST_VENV/bin/stestr" last --subunit >"$CONFORMANCE_VAR/results.subunit") || true
"$PY" -m conformance.cloud inventory "$CONFORMANCE_VAR/inventory-after.json"
stop_cloud

# 6. The summary: last line "N passed, M failed, K skipped"; exit 1 below the threshold or on leaks.
PYTHONPATH=$ROOT "$TPY" -m conformance.summary --subunit "$CONFORMANCE_VAR/results.subunit" \
    --skips conformance/skips.txt --before "$CONFORMANCE_VAR/inventory-seeded.json" \
    --after "$CONFORMANCE_VAR/inventory-after.json" --known-leaks conformance/tempest-leaks.txt --leaks "$LEAKS" --threshold "$THRESHOLD" --elapsed "$elapsed" \
    | tee "$CONFORMANCE_VAR/summary.txt"
