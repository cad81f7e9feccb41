"""os-instance-actions over HTTP: paging (limit, marker) and changes-since/-before from 2.58
(2.66), the actions of a deleted server from 2.21, and changes-since/-before on the server
list compared to the whole second, as Nova does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from servers.models import InstanceAction, Server

from .servers_helpers import demo_server

pytestmark = pytest.mark.django_db


def version(text: str) -> dict[str, str]:
    return {"HTTP_OPENSTACK_API_VERSION": f"compute {text}"}


@pytest.fixture
def server(demo_api):
    server = demo_server(host=None, node=None, launched_at=None)
    start = timezone.now() - timedelta(hours=1)
    for index, action in enumerate(("create", "stop", "start", "reboot")):
        row = InstanceAction.objects.create(
            server=server, action=action, request_id=f"req-{index}", user_id=server.user_id, project_id="p"
        )
        moment = start + timedelta(minutes=index)
        InstanceAction.objects.filter(pk=row.pk).update(start_time=moment, updated_at=moment)
    return server


def actions(api, server, query: str = "", mv: str = "2.58"):
    url = f"/compute/v2.1/servers/{server.uuid}/os-instance-actions{query}"
    return api.get(url, **version(mv))


def test_actions_page_with_limit_and_marker_from_2_58(demo_api, server):
    first = actions(demo_api, server, "?limit=2").json()
    assert [a["action"] for a in first["instanceActions"]] == ["reboot", "start"]
    assert first["links"][0]["rel"] == "next" and "marker=req-2" in first["links"][0]["href"]
    second = actions(demo_api, server, "?limit=2&marker=req-2").json()
    assert [a["action"] for a in second["instanceActions"]] == ["stop", "create"]
    last = actions(demo_api, server, "?limit=2&marker=req-0").json()
    assert last["instanceActions"] == [] and "links" not in last
    assert actions(demo_api, server, "?marker=req-nope").status_code == 400
    assert actions(demo_api, server, "?limit=-1").status_code == 400
    assert actions(demo_api, server, "?colour=blue").status_code == 400
    # Before 2.58 the list does not page, and ignores what it does not know.
    old = actions(demo_api, server, "?limit=1&colour=blue", mv="2.57").json()
    assert len(old["instanceActions"]) == 4 and "links" not in old


def test_actions_filter_on_changes_since_and_before(demo_api, server):
    moment = InstanceAction.objects.get(request_id="req-1").updated_at.replace(microsecond=0)
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    since = actions(demo_api, server, f"?changes-since={stamp}").json()["instanceActions"]
    assert [a["action"] for a in since] == ["reboot", "start", "stop"]
    before = actions(demo_api, server, f"?changes-before={stamp}", mv="2.66").json()["instanceActions"]
    assert [a["action"] for a in before] == ["stop", "create"]
    assert actions(demo_api, server, f"?changes-before={stamp}").status_code == 400  # 2.66
    assert actions(demo_api, server, "?changes-since=yesterday").status_code == 400


def test_a_deleted_servers_actions_are_readable_from_2_21(demo_api, admin_api, server):
    Server.objects.filter(pk=server.pk).update(deleted=True, deleted_at=timezone.now())
    for api in (demo_api, admin_api):
        assert actions(api, server, mv="2.20").status_code == 404
        listed = actions(api, server, mv="2.21")
        assert listed.status_code == 200 and len(listed.json()["instanceActions"]) == 4
        shown = api.get(f"/compute/v2.1/servers/{server.uuid}/os-instance-actions/req-0", **version("2.21"))
        assert shown.status_code == 200 and shown.json()["instanceAction"]["action"] == "create"


def test_server_changes_are_compared_to_the_whole_second(demo_api, server):
    updated = timezone.now().replace(microsecond=700000) - timedelta(minutes=5)
    Server.objects.filter(pk=server.pk).update(updated_at=updated)
    stamp = updated.strftime("%Y-%m-%dT%H:%M:%SZ")  # what the server shows as "updated"
    for query in (f"changes-since={stamp}", f"changes-before={stamp}"):
        listed = demo_api.get(f"/compute/v2.1/servers?{query}", **version("2.66")).json()["servers"]
        assert [item["id"] for item in listed] == [str(server.uuid)], query
    later = (updated + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert demo_api.get(f"/compute/v2.1/servers?changes-since={later}").json()["servers"] == []
