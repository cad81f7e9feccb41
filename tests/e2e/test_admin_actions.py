"""The admin's server actions with real workers: a button and a bulk action start the same
workflows the API starts, and the page shows where they end."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User as AuthUser
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from servers.models import Server

from .helpers import boot_active, events, state

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def compute_hosts():
    return {"compute1": ""}


@pytest.fixture
def operator(cloud) -> Client:
    client = Client()
    client.force_login(AuthUser.objects.create_superuser("operator", "op@example.com", "secret"))
    return client


def page_of(server_id: str) -> str:
    return reverse("admin:servers_server_change", args=[Server.objects.get(uuid=server_id).pk])


def test_stop_and_start_from_the_servers_page(admin, operator):
    sid = boot_active(admin)["id"]
    response = operator.post(page_of(sid), {"_server_action": "stop"})
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Stop requested for vm1"]
    assert state(admin.wait_until_settled(sid)) == ("SHUTOFF", "stopped", None, 4)
    assert events(sid, "stop") == {"compute_stop_instance": "Success"}
    assert 'server-status">SHUTOFF</span>' in operator.get(page_of(sid)).content.decode()
    response = operator.post(page_of(sid), {"_server_action": "stop"})
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"Cannot 'stop' instance {sid} while it is in vm_state stopped"
    ]
    pk = Server.objects.get(uuid=sid).pk
    operator.post(reverse("admin:servers_server_changelist"), {"action": "start", "_selected_action": [pk]})
    assert state(admin.wait_until_settled(sid)) == ("ACTIVE", "active", None, 1)
