#!/usr/bin/env bash
# The end-to-end suite (tests/e2e, or the pytest arguments given) with RabbitMQ as the broker:
# on a fresh vhost of its own (queues, quorum and durable, start empty and nothing is shared
# with another run), deleted afterwards whatever the outcome.
#   TEST_RABBITMQ_URL [amqp://guest:guest@127.0.0.1:5672]: the broker, without the vhost.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/sbin:/sbin"  # rabbitmqctl
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"

vhost="novasite_test_$(date +%s)_$$"
$SUDO rabbitmqctl -q add_vhost "$vhost"
trap '$SUDO rabbitmqctl -q delete_vhost "$vhost" || true' EXIT
$SUDO rabbitmqctl -q set_permissions -p "$vhost" guest ".*" ".*" ".*"

export TEST_BROKER_URL="${TEST_RABBITMQ_URL:-amqp://guest:guest@127.0.0.1:5672}/$vhost"
echo "pytest $* on RabbitMQ, vhost $vhost"
[ $# -gt 0 ] || set -- tests/e2e  # what `make test-rabbitmq` runs by default
.venv/bin/python -m pytest "$@"
