#!/usr/bin/env bash
# Make sure Redis answers on 127.0.0.1:6379 and, with `postgres`, PostgreSQL on 127.0.0.1:5432,
# with `rabbitmq`, RabbitMQ on 127.0.0.1:5672 (any order: `services.sh postgres rabbitmq`).
# Starts them with the machine's own commands when they are installed but not running;
# RabbitMQ, which only the RabbitMQ runs need, is installed (Debian's package) when missing.
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

wants() { local want=$1; shift; for arg in "$@"; do [ "$arg" = "$want" ] && return 0; done; return 1; }

if wants postgres "$@"; then
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

if wants rabbitmq "$@"; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    export PATH="$PATH:/usr/sbin:/sbin"  # rabbitmqctl and the server live in sbin
    if ! command -v rabbitmq-server >/dev/null 2>&1; then
        echo "installing Debian packages: rabbitmq-server"
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends rabbitmq-server >/dev/null
    fi
    # The AMQP port answers only once the broker has booted.
    rabbitmq_up() { timeout 2 bash -c '</dev/tcp/127.0.0.1/5672'; }
    if ! rabbitmq_up >/dev/null 2>&1; then
        echo "starting RabbitMQ"
        $SUDO service rabbitmq-server start >/dev/null || $SUDO /etc/init.d/rabbitmq-server start
        wait_for RabbitMQ rabbitmq_up
    fi
fi
