"""Server metadata API: merge, replace, one key, delete; state and lock rules (409), quota
(403), validation (400), and isolation (another project's server is 404)."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from identity.models import Project
from servers.models import QuotaLimit, Server

from .servers_helpers import demo_server

pytestmark = pytest.mark.django_db


@pytest.fixture
def server(demo_api):
    return demo_server(metadata={"role": "web"})


def url(server, key: str | None = None) -> str:
    base = f"/compute/v2.1/servers/{server.uuid}/metadata"
    return f"{base}/{key}" if key else base


def test_read_merge_replace(demo_api, server):
    assert demo_api.get(url(server)).json() == {"metadata": {"role": "web"}}
    merged = demo_api.post(url(server), {"metadata": {"tier": "1"}}, format="json")
    assert merged.status_code == 200 and merged.json() == {"metadata": {"role": "web", "tier": "1"}}
    replaced = demo_api.put(url(server), {"metadata": {"only": "this"}}, format="json")
    assert replaced.status_code == 200 and replaced.json() == {"metadata": {"only": "this"}}
    server.refresh_from_db()
    assert server.metadata == {"only": "this"}
    assert demo_api.put(url(server), {"metadata": {}}, format="json").json() == {"metadata": {}}


def test_one_key(demo_api, server):
    assert demo_api.get(url(server, "role")).json() == {"meta": {"role": "web"}}
    put = demo_api.put(url(server, "size"), {"meta": {"size": "L"}}, format="json")
    assert put.status_code == 200 and put.json() == {"meta": {"size": "L"}}
    assert demo_api.get(url(server)).json()["metadata"] == {"role": "web", "size": "L"}
    assert demo_api.delete(url(server, "role")).status_code == 204
    missing = demo_api.get(url(server, "role"))
    assert missing.status_code == 404 and missing.json()["itemNotFound"]["message"] == "Metadata item was not found"
    assert demo_api.delete(url(server, "role")).status_code == 404
    mismatch = demo_api.put(url(server, "a"), {"meta": {"b": "1"}}, format="json")
    assert mismatch.status_code == 400 and mismatch.json()["badRequest"]["message"] == "Request body and URI mismatch"
    too_many = demo_api.put(url(server, "a"), {"meta": {"a": "1", "b": "2"}}, format="json")
    assert too_many.json()["badRequest"]["message"] == "Request body contains too many items"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"metadata": None},
        {"metadata": ["a"]},
        {"meta": {"a": "b"}},
        {"metadata": {"k": 5}},
        {"metadata": {"k": None}},
        {"metadata": {"k": "v" * 256}},
        {"metadata": {"k" * 256: "v"}},
        {"metadata": {"": "v"}},
        {"metadata": {"bad/key": "v"}},
    ],
)
def test_bad_bodies_are_400(demo_api, server, body):
    for method in (demo_api.post, demo_api.put):
        response = method(url(server), body, format="json")
        assert response.status_code == 400 and response.json()["badRequest"]["code"] == 400
    server.refresh_from_db()
    assert server.metadata == {"role": "web"}


def test_quota_is_403(demo_api, server):
    QuotaLimit.objects.create(project_id=server.project_id, resource="metadata_items", hard_limit=2)
    assert demo_api.post(url(server), {"metadata": {"b": "1"}}, format="json").status_code == 200
    over = demo_api.post(url(server), {"metadata": {"c": "1"}}, format="json")
    assert over.status_code == 403
    assert over.json()["forbidden"]["message"] == "Maximum number of metadata items exceeds 2"
    assert demo_api.put(url(server, "d"), {"meta": {"d": "1"}}, format="json").status_code == 403
    assert demo_api.put(url(server), {"metadata": {"x": "1", "y": "2", "z": "3"}}, format="json").status_code == 403
    assert demo_api.put(url(server), {"metadata": {"x": "1"}}, format="json").status_code == 200


@pytest.mark.parametrize("vm_state", ["building", "error", "shelved_offloaded", "resized"])
def test_wrong_state_is_409(demo_api, server, vm_state):
    Server.objects.filter(pk=server.pk).update(vm_state=vm_state)
    response = demo_api.post(url(server), {"metadata": {"a": "1"}}, format="json")
    assert response.status_code == 409
    assert "update metadata" in response.json()["conflictingRequest"]["message"]
    assert demo_api.delete(url(server, "role")).status_code == 409
    assert demo_api.get(url(server)).status_code == 200  # reading is always allowed


@pytest.mark.parametrize("vm_state", ["paused", "suspended", "stopped"])
def test_allowed_states_and_any_task_state(demo_api, server, vm_state):
    Server.objects.filter(pk=server.pk).update(vm_state=vm_state, task_state="rebooting")
    assert demo_api.post(url(server), {"metadata": {"a": "1"}}, format="json").status_code == 200
    assert demo_api.delete(url(server, "a")).status_code == 204


def test_locked_is_409_for_owner_not_admin(demo_api, admin_api, server):
    Server.objects.filter(pk=server.pk).update(locked=True, locked_by="owner")
    response = demo_api.post(url(server), {"metadata": {"a": "1"}}, format="json")
    assert response.status_code == 409 and "locked" in response.json()["conflictingRequest"]["message"]
    assert admin_api.post(url(server), {"metadata": {"a": "1"}}, format="json").status_code == 200


def test_other_projects_and_unknown_servers_are_404(admin_api, demo_api, server):
    theirs = Server.objects.create(
        name="admin-vm",
        project_id=Project.objects.get(name="admin").id,
        user_id="x",
        flavor=server.flavor,
        vm_state="active",
        launched_at=timezone.now(),
    )
    assert demo_api.get(url(theirs)).status_code == 404
    assert demo_api.post(url(theirs), {"metadata": {"a": "1"}}, format="json").status_code == 404
    assert demo_api.delete(url(theirs, "a")).status_code == 404
    assert admin_api.get(url(server)).status_code == 200
    for server_id in ("nope", str(uuid.uuid4())):
        response = demo_api.get(f"/compute/v2.1/servers/{server_id}/metadata")
        assert response.status_code == 404 and "itemNotFound" in response.json()
    Server.objects.filter(pk=server.pk).update(deleted=True)
    assert demo_api.get(url(server)).status_code == 404


def test_nul_is_never_500(demo_api, server):
    assert demo_api.get(url(server, "a%00b")).status_code == 404
    assert demo_api.post(url(server), {"metadata": {"k": "a\x00b"}}, format="json").status_code == 400
    assert demo_api.get("/compute/v2.1/servers/a%00b/metadata").status_code == 404
