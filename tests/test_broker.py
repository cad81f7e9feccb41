"""The broker by URL alone (novasite/broker.py): Redis keeps its visibility timeout and key
prefix; RabbitMQ gets quorum queues behind topic exchanges for every queue Celery declares
by name, publisher confirms, and the answers to the API in a Redis beside it. The queues on
a real RabbitMQ: tests/e2e/test_rabbitmq.py."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from novasite import broker

RABBIT = "amqp://guest:guest@127.0.0.1:5672/novasite_x"
REDIS = "redis://127.0.0.1:6379/3"


@pytest.mark.parametrize(
    ("url", "amqp"),
    [(RABBIT, True), ("amqps://h//", True), ("pyamqp://h", True), (REDIS, False), ("rediss://h:6380/0", False)],
)
def test_is_amqp(url, amqp):
    assert broker.is_amqp(url) is amqp


@pytest.mark.parametrize(
    ("url", "vhost"), [(RABBIT, "novasite_x"), ("amqp://h:5672/", "/"), ("amqp://h", "/"), ("amqp://h/%2Fa", "/a")]
)
def test_amqp_vhost_reads_as_kombu_does(url, vhost):
    assert broker.amqp_vhost(url) == vhost


def test_redis_keeps_its_visibility_timeout_prefix_and_results():
    options = broker.broker_transport_options(REDIS, visibility_timeout=20, key_prefix="p:")
    assert options == {"visibility_timeout": 20, "unacked_restore_throttle": 1, "global_keyprefix": "p:"}
    assert broker.default_result_backend(REDIS, "redis://elsewhere/0") == REDIS
    assert broker.result_backend_transport_options(REDIS, "p:") == {"global_keyprefix": "p:"}
    assert (broker.queue_type(REDIS), broker.exchange_type(REDIS)) == ("classic", "direct")


def test_rabbitmq_confirms_publishes_and_leaves_the_answers_to_redis():
    assert broker.broker_transport_options(RABBIT, visibility_timeout=20, key_prefix="p:") == {"confirm_publish": True}
    assert broker.default_result_backend(RABBIT, REDIS) == REDIS
    assert broker.result_backend_transport_options("rpc://", "p:") == {}
    assert (broker.queue_type(RABBIT), broker.exchange_type(RABBIT)) == ("quorum", "topic")


PROBE = """
import django
django.setup()
from novasite.celery import app
conf, queues = app.conf, app.amqp.queues
print(conf.result_backend, conf.broker_transport_options)
for name in ("conductor", "scheduler", "compute.compute1"):
    print(name, queues[name].durable, queues[name].queue_arguments, queues[name].exchange.type)
"""


def test_the_broker_url_alone_makes_every_queue_quorum_on_rabbitmq():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "novasite.settings", "CELERY_BROKER_URL": RABBIT}
    env.pop("CELERY_RESULT_BACKEND", None)
    probe = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    assert probe.stdout.splitlines() == [
        "redis://127.0.0.1:6379/0 {'confirm_publish': True}",
        "conductor True {'x-queue-type': 'quorum'} topic",
        "scheduler True {'x-queue-type': 'quorum'} topic",
        "compute.compute1 True {'x-queue-type': 'quorum'} topic",
    ]
