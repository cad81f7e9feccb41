"""The servers admin: a server's state is the workflows', its name and metadata are changed
through servers.services as PUT /servers/{id} and its metadata API change them."""

from __future__ import annotations

import pytest

from servers.models import Server

from .pages import url

pytestmark = pytest.mark.django_db


def test_server_state_is_read_only(staff, rows):
    content = staff.get(url(Server, "change", rows[Server].pk)).content
    for field in (
        "vm_state",
        "task_state",
        "power_state",
        "host",
        "node",
        "availability_zone",
        "flavor",
        "deleted",
        "locked_by",
        "launched_at",
        "project_id",
    ):
        assert f'name="{field}"'.encode() not in content, field
    assert b'name="name"' in content
    assert b"ACTIVE" in content  # the computed status


def test_server_changelist_shows_status(staff, rows):
    Server.objects.filter(pk=rows[Server].pk).update(task_state="rebooting")
    assert b"REBOOT" in staff.get(url(Server, "changelist")).content


def test_server_cannot_be_added_or_deleted(staff, rows):
    server = rows[Server]
    assert staff.get(url(Server, "add")).status_code == 403
    assert staff.get(url(Server, "delete", server.pk)).status_code == 403
    assert staff.post(url(Server, "delete", server.pk), {"post": "yes"}).status_code == 403
    assert Server.objects.filter(pk=server.pk).exists()
