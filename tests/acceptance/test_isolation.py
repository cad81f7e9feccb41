"""Project isolation on the live cloud: a member of another project sees and touches nothing
of the admin's or demo's servers (404, as Nova hides what the caller may not see), is refused
admin APIs (403), and `all_tenants=1` does not widen a member's list."""

from __future__ import annotations

import pytest

from identity.models import Project, Role, RoleAssignment, User
from tests.e2e.cloud import Api
from tests.e2e.helpers import LATEST, boot

pytestmark = pytest.mark.e2e


def member_of_new_project(base_url: str) -> Api:
    project = Project.objects.create(name="other", description="another tenant")
    user = User.objects.create(name="eve", default_project=project)
    user.set_password("secret")
    user.save()
    RoleAssignment.objects.create(user=user, project=project, role=Role.objects.get(name="member"))
    return Api.login(base_url, "eve", "other")


def ids(response) -> set[str]:
    assert response.status_code == 200, response.text
    return {server["id"] for server in response.json()["servers"]}


def not_widened(response, own: set[str]) -> bool:
    """A member's all_tenants: ignored (her own servers) or refused (403, as Nova's policy)."""
    return response.status_code == 403 or ids(response) == own


def test_member_of_another_project_is_isolated(cloud, live_server, admin, demo):
    eve = member_of_new_project(live_server.url)
    admin_sid = boot(admin, "admin-vm")
    demo_sid = boot(demo, "demo-vm")
    own_sid = boot(eve, "eve-vm")
    for api, sid in ((admin, admin_sid), (demo, demo_sid), (eve, own_sid)):
        server = api.wait_until_settled(sid)
        assert server["status"] == "ACTIVE", server

    # Others' servers do not exist for eve: show, delete, actions, sub-resources are all 404.
    for sid in (admin_sid, demo_sid):
        base = f"/compute/v2.1/servers/{sid}"
        assert eve.get(base, headers=LATEST).status_code == 404
        assert eve.post(f"{base}/action", {"os-stop": None}, headers=LATEST).status_code == 404
        assert eve.post(f"{base}/action", {"reboot": {"type": "HARD"}}, headers=LATEST).status_code == 404
        assert eve.post(f"{base}/action", {"createImage": {"name": "steal"}}, headers=LATEST).status_code == 404
        assert eve.get(f"{base}/os-instance-actions", headers=LATEST).status_code == 404
        assert eve.get(f"{base}/metadata", headers=LATEST).status_code == 404
        update = eve.session.put(eve.base + base, json={"server": {"name": "mine"}}, headers=LATEST, timeout=10)
        assert update.status_code == 404, update.text
        assert eve.delete(base).status_code == 404
    # ...and were left alone.
    assert admin.server(admin_sid)["status"] == "ACTIVE" and admin.server(demo_sid)["status"] == "ACTIVE"
    assert admin.server(demo_sid)["name"] == "demo-vm"

    demo_project = Project.objects.get(name="demo").id
    # Lists: only her own server, with or without all_tenants (and demo's the same way).
    for path in ("/compute/v2.1/servers", "/compute/v2.1/servers/detail"):
        assert ids(eve.get(path, headers=LATEST)) == {own_sid}
        assert not_widened(eve.get(f"{path}?all_tenants=1", headers=LATEST), {own_sid})
        assert not_widened(eve.get(f"{path}?all_tenants=True&project_id={demo_project}", headers=LATEST), {own_sid})
        assert not_widened(demo.get(f"{path}?all_tenants=1", headers=LATEST), {demo_sid})
        assert ids(admin.get(f"{path}?all_tenants=1", headers=LATEST)) >= {admin_sid, demo_sid, own_sid}
    assert eve.get("/compute/v2.1/servers/detail?name=demo-vm", headers=LATEST).json()["servers"] == []

    # Admin APIs are 403 for a member.
    admin_only = [
        ("GET", "/compute/v2.1/os-services", None),
        ("GET", "/compute/v2.1/os-hypervisors", None),
        ("GET", "/compute/v2.1/os-hypervisors/detail", None),
        ("GET", "/compute/v2.1/os-aggregates", None),
        ("POST", "/compute/v2.1/os-aggregates", {"aggregate": {"name": "mine", "availability_zone": "nova"}}),
        ("POST", "/compute/v2.1/flavors", {"flavor": {"name": "mine", "ram": 64, "vcpus": 1, "disk": 1}}),
        ("POST", f"/compute/v2.1/servers/{own_sid}/action", {"os-resetState": {"state": "error"}}),
        ("POST", f"/compute/v2.1/servers/{own_sid}/action", {"migrate": None}),
        (
            "POST",
            f"/compute/v2.1/servers/{own_sid}/action",
            {"os-migrateLive": {"host": None, "block_migration": "auto"}},
        ),
    ]
    for method, path, body in admin_only:
        response = eve.session.request(method, eve.base + path, json=body, headers=LATEST, timeout=10)
        assert response.status_code == 403, (method, path, response.status_code, response.text)
        assert "forbidden" in response.json(), response.text
    own = eve.server(own_sid)
    assert own is not None and own["OS-EXT-STS:vm_state"] == "active"  # the refused reset changed nothing

    # Her own server is hers to act on (the refusals above are not blanket ones).
    assert eve.post(f"/compute/v2.1/servers/{own_sid}/action", {"os-stop": None}, headers=LATEST).status_code == 202
    assert eve.wait_until_settled(own_sid)["status"] == "SHUTOFF"
    assert eve.delete(f"/compute/v2.1/servers/{own_sid}").status_code == 204
    eve.wait_until_gone(own_sid)
