"""Database and broker outages, piece by piece (the drills with real restarts are in
tests/e2e/test_broker_restart.py and test_database_restart.py): the API answers 503 in each
service's format, an accepted request whose publish finds no broker stays accepted, tasks wait
out a database outage, and an ack on a closed broker connection is not fatal."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any, cast

import pytest
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.test import RequestFactory
from kombu import Connection, Queue
from kombu.exceptions import OperationalError as BrokerUnreachable
from rest_framework.response import Response

from core.errors import exception_handler, handler500
from novasite import outages, publishing
from novasite.celery import app
from novasite.demo import CIRROS_IMAGE_ID
from novasite.redis_transport import TRANSPORT
from servers.models import Server

SERVICES = {
    "/compute/v2.1/servers": lambda body: body["serviceUnavailable"]["code"],
    "/volume/v3/p/volumes": lambda body: body["serviceUnavailable"]["code"],
    "/identity/v3/auth/tokens": lambda body: (body["error"]["code"], body["error"]["title"]),
    "/image/v2/images": lambda body: (body["code"], body["title"]),
    "/network/v2.0/ports": lambda body: body["NeutronError"]["type"],
}
EXPECTED = {
    "/compute/v2.1/servers": 503,
    "/volume/v3/p/volumes": 503,
    "/identity/v3/auth/tokens": (503, "Service Unavailable"),
    "/image/v2/images": ("503 Service Unavailable", "Service Unavailable"),
    "/network/v2.0/ports": "HTTPServiceUnavailable",
}


@pytest.mark.parametrize("error", [OperationalError("server closed"), InterfaceError("closed"), BrokerUnreachable()])
@pytest.mark.parametrize("path", sorted(SERVICES))
def test_an_outage_met_in_a_view_is_503_in_the_services_format(path, error):
    # Glance's body depends on the Accept header (webob's negotiation): JSON when asked for.
    request = RequestFactory().post(path, HTTP_ACCEPT="application/json")
    response = exception_handler(error, {"request": request})
    assert response is not None and response.status_code == 503
    body = response.data if isinstance(response, Response) else json.loads(cast(HttpResponse, response).content)
    assert SERVICES[path](body) == EXPECTED[path]


@pytest.mark.parametrize("path", sorted(SERVICES))
def test_an_outage_met_outside_the_views_is_503_and_anything_else_stays_500(path):
    request = RequestFactory().get(path)
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = handler500(request)
    assert response.status_code == 503
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        assert handler500(request).status_code == 500
    assert sys.exc_info()[0] is None


def test_a_create_whose_publish_finds_no_broker_is_accepted_and_logged(
    demo_api, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    """The server is written before its build is published: with the broker gone the create is
    still accepted (the reconciler drives it from the database), never a 500."""
    # The app's broker is one where nothing listens (port 1), with fresh connection pools; the
    # build is a chain, which publishes through the current app, so that app is the one pointed away.
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    monkeypatch.setattr(publishing, "API_RETRY_POLICY", {"max_retries": 1, "interval_start": 0, "interval_step": 0.1})
    body = {"server": {"name": "lost", "imageRef": str(CIRROS_IMAGE_ID), "flavorRef": "42", "networks": []}}
    with caplog.at_level(logging.ERROR, logger="novasite.publishing"), django_capture_on_commit_callbacks(execute=True):
        response = demo_api.post("/compute/v2.1/servers", body, format="json")
    assert response.status_code == 202, response.content
    server = Server.objects.get(uuid=response.json()["server"]["id"])
    assert (server.vm_state, server.task_state) == ("building", "scheduling")
    assert any(f"the build of {server.uuid}" in record.getMessage() for record in caplog.records)


def test_a_task_runs_again_while_the_database_is_down(settings, monkeypatch):
    settings.DATABASE_RETRY_SECONDS = 60
    pauses: list[float] = []
    monkeypatch.setattr(outages.time, "sleep", pauses.append)
    calls = []

    def task() -> str:
        calls.append(1)
        if len(calls) < 4:
            raise OperationalError("could not connect to server: Connection refused")
        return "done"

    assert outages.through_database_outages(task, "conductor.x") == "done"
    assert len(calls) == 4
    # 0.5 s, doubling, each within its 20 % jitter.
    assert len(pauses) == 3
    assert all(0.8 * base <= pause <= 1.2 * base for pause, base in zip(pauses, (0.5, 1, 2), strict=True))


def test_a_task_fails_once_the_outage_outlasts_its_patience(settings, monkeypatch):
    settings.DATABASE_RETRY_SECONDS = 0
    monkeypatch.setattr(outages.time, "sleep", lambda _: pytest.fail("no pause past the deadline"))

    def task() -> None:
        raise InterfaceError("connection already closed")

    with pytest.raises(InterfaceError):
        outages.through_database_outages(task, "conductor.x")


def test_other_errors_are_not_retried(settings):
    settings.DATABASE_RETRY_SECONDS = 60
    calls = []

    def task() -> None:
        calls.append(1)
        raise ValueError("a bug")

    with pytest.raises(ValueError):
        outages.through_database_outages(task, "conductor.x")
    assert len(calls) == 1


def test_an_ack_on_a_closed_connection_is_a_connection_error(settings):
    """The state a worker's old channel is in after Celery closed its connection while Redis
    was restarting (transport client and connection pool gone): kombu's own transport raised
    AttributeError there, which killed the worker; novasite's raises a connection error, which
    Celery logs ("Couldn't ack") and survives."""
    options = {"global_keyprefix": settings.CELERY_KEY_PREFIX}
    # novasite's Redis transport, on the broker when it is Redis, else on the results' Redis.
    redis_url = next(
        url for url in (settings.CELERY_BROKER_URL, settings.CELERY_RESULT_BACKEND) if url.startswith("redis")
    )
    connection = Connection(redis_url, transport=TRANSPORT, transport_options=options)
    queue = Queue("outage-ack-test")
    with connection.Producer() as producer:
        producer.publish({"n": 1}, routing_key=queue.name, declare=[queue])
    channel: Any = connection.channel()
    message = queue(channel).get(no_ack=False)
    assert message is not None
    errors = connection.connection_errors
    transport = channel.connection
    channel._disconnect_pools()
    transport.client = None
    try:
        with pytest.raises(errors):
            message.ack()
        message.ack_log_error(logging.getLogger(__name__), errors)  # logged, not raised
        assert not message.acknowledged
    finally:
        transport.client = connection
        message.ack()  # the connection back, the ack goes through
        connection.release()
