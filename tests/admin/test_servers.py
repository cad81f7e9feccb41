"""The servers admin: a server's state is the workflows', its name and metadata are changed
through servers.services as PUT /servers/{id} and its metadata API change them."""

from __future__ import annotations

import pytest
from django.utils import timezone

from servers.models import Server

from .pages import post_form, refused, saved, table, url

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


def test_server_renamed_as_put_servers_renames_it(staff, rows):
    server = rows[Server]
    page = url(Server, "change", server.pk)
    saved(post_form(staff, page, name="web-1", hostname="web-1.example.org", access_ip_v4="192.0.2.7"))
    server.refresh_from_db()
    assert (server.name, server.hostname, server.access_ip_v4) == ("web-1", "web-1.example.org", "192.0.2.7")
    assert (server.vm_state, server.host) == ("active", "host1")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"hostname": "-bad-"}, "Invalid input for field/attribute hostname."),
        ({"access_ip_v4": "2001:db8::1"}, "Invalid input for field/attribute accessIPv4."),
        ({"metadata": '{"bad key!": "x"}'}, None),
    ],
    ids=["hostname", "access-ip", "metadata-key"],
)
def test_server_change_refused_as_the_api_refuses(staff, rows, changes, message):
    server = rows[Server]
    before = table(Server)
    response = post_form(staff, url(Server, "change", server.pk), name="renamed", **changes)
    refused(
        response,
        message
        or "Invalid input for field/attribute metadata. Value: bad key!. Keys must be 1 to 255 of [a-zA-Z0-9-_:. ]",
    )
    assert table(Server) == before


def test_metadata_follows_the_state_rules(staff, rows):
    server = rows[Server]
    Server.objects.filter(pk=server.pk).update(launched_at=timezone.now())
    page = url(Server, "change", server.pk)
    saved(post_form(staff, page, metadata='{"role": "web"}'))
    server.refresh_from_db()
    assert server.metadata == {"role": "web"}
    Server.objects.filter(pk=server.pk).update(vm_state="error")
    before = table(Server)
    refused(
        post_form(staff, page, name="renamed", metadata='{"role": "db"}'),
        f"Cannot 'update metadata' instance {server.uuid} while it is in vm_state error",
    )
    assert table(Server) == before  # the rename of the same request is not kept either


def test_boot_request_is_read_only(staff, rows):
    content = staff.get(url(Server, "change", rows[Server].pk)).content
    for field in ("image_ref", "key_data", "user_data", "requested_networks", "requested_availability_zone"):
        assert f'name="{field}"'.encode() not in content, field
