#!/usr/bin/env bash
# Make sure Redis answers on 127.0.0.1:6379 and, with `postgres`, PostgreSQL on 127.0.0.1:5432,
# with `rabbitmq`, RabbitMQ on 127.0.0.1:5672 (any order: `services.sh postgres rabbitmq`).
# Each is installed from Debian's packages when missing and started without systemd when it is
# not running. A PostgreSQL that this script installs trusts connections from 127.0.0.1, as the
# suite's TEST_DATABASE_URL (postgres://postgres@127.0.0.1:5432/...) expects; one that was
# already installed is left as it is configured.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/apt.sh
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo -n"

wait_for() {  # wait_for NAME COMMAND...
    local name=$1; shift
    for _ in $(seq 1 60); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
    echo "$name did not come up" >&2; return 1
}

redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG; }
if ! redis_up 2>/dev/null; then
    command -v redis-server >/dev/null 2>&1 || apt_install "the broker" redis-server redis-tools
    echo "starting Redis"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/ci.log
    wait_for Redis redis_up
fi

wants() { local want=$1; shift; for arg in "$@"; do [ "$arg" = "$want" ] && return 0; done; return 1; }

if wants postgres "$@"; then
    pg_up() { timeout 2 bash -c '</dev/tcp/127.0.0.1/5432' && { ! command -v pg_isready || pg_isready -q -h 127.0.0.1 -p 5432; }; }
    if ! pg_up >/dev/null 2>&1; then
        installed_here=""
        if ! command -v pg_ctlcluster >/dev/null 2>&1; then
            apt_install "the database" postgresql
            installed_here=1
        fi
        version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
        if [ ! -d "/etc/postgresql/$version/main" ]; then
            echo "creating PostgreSQL $version's cluster main"
            $SUDO pg_createcluster "$version" main >/dev/null
        fi
        if [ -n "$installed_here" ]; then
            # Only loopback connections, and only on a server installed just now for novasite.
            hba=/etc/postgresql/$version/main/pg_hba.conf
            $SUDO sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
            echo "PostgreSQL $version: connections from 127.0.0.1 are trusted ($hba)"
        fi
        echo "starting PostgreSQL $version"
        $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start
        wait_for PostgreSQL pg_up
    fi
fi

if wants rabbitmq "$@"; then
    export PATH="$PATH:/usr/sbin:/sbin"  # rabbitmqctl and the server live in sbin
    command -v rabbitmq-server >/dev/null 2>&1 || apt_install "the RabbitMQ runs" rabbitmq-server
    # The AMQP port answers only once the broker has booted.
    rabbitmq_up() { timeout 2 bash -c '</dev/tcp/127.0.0.1/5672'; }
    if ! rabbitmq_up >/dev/null 2>&1; then
        echo "starting RabbitMQ"
        $SUDO service rabbitmq-server start >/dev/null || $SUDO /etc/init.d/rabbitmq-server start
        wait_for RabbitMQ rabbitmq_up
    fi
fi
