"""/servers/{id}/shares (2.97) on a cloud without Manila or virtiofs hosts: an empty list,
unknown shares, and attach refused after Nova's state check."""

from __future__ import annotations

import pytest

from servers.models import Server

from .servers_helpers import demo_server

pytestmark = pytest.mark.django_db

V297 = {"HTTP_OPENSTACK_API_VERSION": "compute 2.97"}
SHARE = "e8debdc0-447a-4376-a10a-4cd9122d7986"


@pytest.fixture
def server(demo_api):
    return demo_server()


def url(server, *rest):
    return "/".join([f"/compute/v2.1/servers/{server.uuid}/shares", *rest])


def test_shares_exist_from_2_97(demo_api, server):
    assert demo_api.get(url(server), HTTP_OPENSTACK_API_VERSION="compute 2.96").status_code == 404
    listed = demo_api.get(url(server), **V297)
    assert listed.status_code == 200 and listed.json() == {"shares": []}
    assert demo_api.get(url(server), {"x": "1"}, **V297).status_code == 400
    missing = demo_api.get(url(server, SHARE), **V297)
    assert missing.status_code == 404
    assert missing.json()["itemNotFound"]["message"] == f"Share {SHARE} could not be found."


def test_attach_needs_a_stopped_server_then_a_host_that_can_mount_shares(demo_api, server):
    body = {"share": {"share_id": SHARE, "tag": "data"}}
    running = demo_api.post(url(server), body, format="json", **V297)
    assert running.status_code == 409
    assert running.json()["conflictingRequest"]["message"] == (
        f"Cannot 'create share' instance {server.uuid} while it is in vm_state active"
    )
    Server.objects.filter(pk=server.pk).update(vm_state="stopped", power_state=4)
    stopped = demo_api.post(url(server), body, format="json", **V297)
    assert stopped.status_code == 409 and "not configured correctly" in stopped.json()["conflictingRequest"]["message"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"share": {}},
        {"share": {"share_id": "nope"}},
        {"share": {"share_id": SHARE, "tag": "a b"}},
        {"share": {"share_id": SHARE, "x": 1}},
    ],
)
def test_malformed_attach_bodies_are_400(demo_api, server, body):
    assert demo_api.post(url(server), body, format="json", **V297).status_code == 400


def test_detach_of_a_share_never_attached(demo_api, server):
    assert demo_api.delete(url(server, SHARE), **V297).status_code == 409  # active: Nova's state check first
    Server.objects.filter(pk=server.pk).update(vm_state="stopped", power_state=4)
    assert demo_api.delete(url(server, SHARE), **V297).status_code == 404


def test_another_projects_server_is_404(admin_api, demo_api, server):
    Server.objects.filter(pk=server.pk).update(project_id="someone-else")
    assert demo_api.get(url(server), **V297).status_code == 404
    assert admin_api.get(url(server), **V297).status_code == 200
