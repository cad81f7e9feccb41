#!/usr/bin/env bash
# Make sure Redis answers on 127.0.0.1:6379 and, with `postgres`, PostgreSQL on 127.0.0.1:5432.
# Starts them with the machine's own commands when they are installed but not running.
set -euo pipefail

wait_for() {  # wait_for NAME COMMAND...
    local name=$1; shift
    for _ in $(seq 1 60); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
    echo "$name did not come up" >&2; return 1
}

redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG; }
if ! redis_up 2>/dev/null; then
    echo "starting Redis"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/ci.log
    wait_for Redis redis_up
fi

if [ "${1:-}" = "postgres" ]; then
    pg_up() { pg_isready -h 127.0.0.1 -p 5432; }
    if ! pg_up >/dev/null 2>&1; then
        echo "starting PostgreSQL"
        if command -v pg_ctlcluster >/dev/null 2>&1; then
            pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
        else
            echo "PostgreSQL is not installed: install it (apt-get install postgresql) or set TEST_DATABASE_URL" >&2
            exit 1
        fi
        wait_for PostgreSQL pg_up
    fi
fi
