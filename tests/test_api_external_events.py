"""POST /os-server-external-events through the HTTP API: per-event codes, 207, microversions."""

from __future__ import annotations

import uuid

import pytest

from identity.models import Project, User
from servers.models import Server

pytestmark = pytest.mark.django_db

URL = "/compute/v2.1/os-server-external-events"


def make_server(host: str | None) -> Server:
    return Server.objects.create(
        name="vm",
        project_id=Project.objects.get(name="demo").id,
        user_id=User.objects.get(name="demo").id,
        flavor={"flavorid": "42", "name": "cirros", "vcpus": 1, "memory_mb": 128, "root_gb": 1},
        vm_state="active",
        host=host,
    )


def post(api, events, version="2.1"):
    return api.post(URL, {"events": events}, format="json", HTTP_OPENSTACK_API_VERSION=f"compute {version}")


def test_an_event_for_a_hosted_server_is_accepted(admin_api):
    server = make_server("c1")
    response = post(admin_api, [{"name": "network-changed", "server_uuid": str(server.uuid)}])
    assert response.status_code == 200
    assert response.json() == {
        "events": [{"name": "network-changed", "server_uuid": str(server.uuid), "status": "completed", "code": 200}]
    }


def test_failed_events_have_their_own_codes_and_make_a_207(admin_api):
    hosted, unhosted = make_server("c1"), make_server(None)
    events = [
        {"name": "network-vif-plugged", "server_uuid": str(hosted.uuid), "tag": "port"},
        {"name": "network-vif-plugged", "server_uuid": str(unhosted.uuid)},
        {"name": "network-vif-plugged", "server_uuid": str(uuid.uuid4())},
        {"name": "power-update", "server_uuid": str(hosted.uuid)},
    ]
    response = post(admin_api, events, "2.76")
    assert response.status_code == 207
    answered = response.json()["events"]
    assert [e["code"] for e in answered] == [200, 422, 404, 400]
    assert [e["status"] for e in answered] == ["completed", "failed", "failed", "failed"]
    assert answered[0]["tag"] == "port"


def test_names_follow_the_microversion_and_bad_bodies_are_400(admin_api):
    server = make_server("c1")
    event = {"name": "volume-extended", "server_uuid": str(server.uuid), "tag": "vol"}
    assert post(admin_api, [event], "2.50").status_code == 400
    assert post(admin_api, [event], "2.51").status_code == 200
    assert post(admin_api, [{**event, "name": "volume-reimaged"}], "2.92").status_code == 400
    assert post(admin_api, [{**event, "name": "volume-reimaged"}], "2.93").status_code == 200
    assert post(admin_api, []).status_code == 400
    assert post(admin_api, [{"name": "network-changed"}]).status_code == 400
    assert post(admin_api, [{"name": "network-changed", "server_uuid": "x"}]).status_code == 400
    bad_status = {"name": "network-changed", "server_uuid": str(server.uuid), "status": "done"}
    assert post(admin_api, [bad_status]).status_code == 400


def test_members_may_not_send_events(demo_api):
    server = make_server("c1")
    assert post(demo_api, [{"name": "network-changed", "server_uuid": str(server.uuid)}]).status_code == 403
