"""kombu's Redis transport, with one fix and one saving. The saving: one redis client per
connection pool for what kombu sends (`Channel._create_client`), not one per message. The fix:
a message acknowledged after its connection was closed fails as a *connection* error, which
Celery logs and survives, instead of crashing the worker.

What happened (kombu 5.7.0, the newest; the same trace as celery/kombu#582): Redis restarts
under load; a conductor worker (threads pool, late acks) loses its connection, and Celery
closes it, which sets the transport's ``client`` to None and drops the channel's connection
pool. A task that finishes meanwhile queues its ack on the event loop; the ack runs on the old
channel, which rebuilds its pool from ``self.connection.client``:
``AttributeError: 'NoneType' object has no attribute 'hostname'`` in ``Channel._connparams``,
reached from ``basic_ack`` → ``_remove_from_indices``. Celery catches only the transport's
connection errors around an ack (``Message.ack_log_error``), so the AttributeError escaped the
event loop ("Unrecoverable error") and the worker exited.

Here such a channel raises ``redis.exceptions.ConnectionError`` instead: Celery logs "Couldn't
ack" and goes on with its new connection. Nothing is lost: the message stays in Redis's
unacknowledged set and comes back after the visibility timeout, and every task is idempotent.
It is not acknowledged through a fresh connection on purpose: the consumer gave the channel's
unacknowledged messages back when it closed it, so the same delivery tag may already be running
again, and removing it from the unacknowledged set would lose that delivery if its worker died.
"""

from __future__ import annotations

from typing import Any

from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError


class Channel(kombu_redis.Channel):
    """kombu's Redis channel; a closed connection's channel fails as a connection error."""

    def _connparams(self, asynchronous: bool = False) -> dict[str, Any]:
        transport = self.connection
        if transport is None or transport.client is None:
            raise RedisConnectionError("the broker connection of this channel was closed")
        return super()._connparams(asynchronous=asynchronous)  # type: ignore[misc]

    def _create_client(self, asynchronous: bool = False) -> Any:
        """kombu makes a new redis client for every publish, ack and event it sends (about
        0.1 ms of CPU each: redis-py builds its response callbacks per client); here the
        synchronous ones share one per connection pool. A redis client is safe to share
        between threads: each command takes a connection from the pool. A pool kombu drops
        (the connection was closed) takes its client with it."""
        if asynchronous:
            return super()._create_client(asynchronous=True)  # type: ignore[misc]
        pool = self.pool
        shared = self.__dict__.get("_shared_client")
        if shared is None or shared[0] is not pool:
            shared = (pool, super()._create_client())  # type: ignore[misc]
            self.__dict__["_shared_client"] = shared
        return shared[1]


class Transport(kombu_redis.Transport):
    """kombu's Redis transport with :class:`Channel`."""

    Channel = Channel


#: Celery's ``broker_transport`` for a redis:// broker URL (novasite.celery sets it).
TRANSPORT = f"{__name__}:Transport"
REDIS_SCHEMES = ("redis://", "rediss://")
