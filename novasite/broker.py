"""What depends on the broker's transport, chosen by CELERY_BROKER_URL alone: Redis (redis://)
or RabbitMQ (amqp://). Settings and the Celery app call these functions; nothing else needs
to know which broker carries the work.

Redis: an unacknowledged task comes back after the visibility timeout; a key prefix lets
several clouds (or test runs) share one Redis; the compute hosts' answers to the API go to
the same Redis.

RabbitMQ: every work queue (conductor, scheduler, compute.<host>, whoever declares it first,
consumer or publisher) is a durable **quorum** queue behind a topic exchange, and every
publish waits for the broker's confirm, so an accepted request's message survives a broker
restart. A task that was delivered but not acknowledged comes back as soon as its consumer's
channel closes (no visibility timeout); RabbitMQ also closes a channel whose delivery stays
unacknowledged longer than its consumer_timeout (30 min by default, LIVE_MIGRATION_TIMEOUT's
value: README.md says when to raise it). Every task is safe to run twice. A vhost, not a key
prefix, separates clouds.

The compute hosts' answers to the API still go to a Redis (CELERY_RESULT_BACKEND, by default
the local one), not over Celery's rpc://: its reply queue is named after the asking thread's
id, which a later thread reuses while the dead thread's consumer still holds the queue, so
under a server with a thread per request (Django's live server, runserver) answers went to
the wrong consumer and the API answered 503.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

AMQP_SCHEMES = frozenset({"amqp", "amqps", "pyamqp"})


def is_amqp(url: str) -> bool:
    """Whether `url` names a RabbitMQ (AMQP) broker."""
    return urlsplit(url).scheme.partition("+")[0] in AMQP_SCHEMES


def amqp_vhost(url: str) -> str:
    """The vhost an amqp:// URL names (kombu's reading: "/" when the path is empty)."""
    path = urlsplit(url).path
    return unquote(path[1:]) if len(path) > 1 else "/"


def default_result_backend(broker_url: str, redis_url: str) -> str:
    """Where the compute hosts' answers go unless CELERY_RESULT_BACKEND says otherwise: the
    broker's Redis, or `redis_url` beside a RabbitMQ."""
    return redis_url if is_amqp(broker_url) else broker_url


def broker_transport_options(broker_url: str, *, visibility_timeout: int, key_prefix: str) -> dict[str, Any]:
    """Celery's broker_transport_options for the broker `broker_url` names."""
    if is_amqp(broker_url):
        # Publishing returns only once RabbitMQ has the message (in the quorum queue's log).
        return {"confirm_publish": True}
    return {
        "visibility_timeout": visibility_timeout,
        # Look for such tasks every 10 s (kombu's unacked_restore_interval), not only on every
        # 10th look (its default throttle): else a task a killed worker held comes back ~100 s late.
        "unacked_restore_throttle": 1,
        **({"global_keyprefix": key_prefix} if key_prefix else {}),
    }


def result_backend_transport_options(result_backend: str, key_prefix: str) -> dict[str, Any]:
    """Celery's result_backend_transport_options: the key prefix, for a Redis backend."""
    if key_prefix and urlsplit(result_backend).scheme in ("redis", "rediss"):
        return {"global_keyprefix": key_prefix}
    return {}


def queue_type(broker_url: str) -> str:
    """Celery's task_default_queue_type and task_create_missing_queue_type: quorum queues on
    RabbitMQ (the default queue and every queue declared by name, compute.<host> included;
    Celery then sets the prefetch limit per consumer, as quorum queues require), classic
    (which Redis ignores) otherwise."""
    return "quorum" if is_amqp(broker_url) else "classic"


def exchange_type(broker_url: str) -> str:
    """Celery's task_default_exchange_type and task_create_missing_queue_exchange_type: topic
    on RabbitMQ, where a task sent with a countdown waits in the broker (Celery's native
    delayed delivery, which quorum queues need and which skips direct exchanges) instead of
    in a worker's prefetch window; direct (Celery's default) otherwise."""
    return "topic" if is_amqp(broker_url) else "direct"
