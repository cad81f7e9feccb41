"""The compute API's volume proxy (/compute/v2.1/os-volumes, removed at 2.36) and the volume
attachment rules Nova has: attaching a volume attached already is 400, PUT updates
delete_on_termination from 2.85, a swap is the service role's and is refused (409) since no
volume here ever migrates."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from identity.models import Project, Role, RoleAssignment, User
from servers.models import Server, VolumeAttachment
from volumes import store
from volumes.models import Volume
from workers.conductor import delete

from .conftest import issue_token
from .servers_helpers import demo_server

pytestmark = pytest.mark.django_db

VOLUMES = "/compute/v2.1/os-volumes"


@pytest.fixture(autouse=True)
def volume_dir(settings, tmp_path):
    settings.VOLUME_DIR = str(tmp_path / "volumes")


def new(api, **volume) -> dict:
    response = api.post(VOLUMES, {"volume": {"size": 1, **volume}}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["volume"]


@pytest.fixture
def server(demo_api) -> Server:
    return demo_server()


def attached(server: Server, volume: dict, device: str = "vdb") -> VolumeAttachment:
    store.mark_in_use(Volume.objects.get(id=volume["id"]), server.uuid)
    return VolumeAttachment.objects.create(server=server, volume_id=volume["id"], device=device, status="attached")


def test_create_show_list_delete_in_novas_format(demo_api):
    response = demo_api.post(
        VOLUMES,
        {"volume": {"size": "1", "display_name": "data", "display_description": "d", "metadata": {"Type": "work"}}},
        format="json",
    )
    assert response.status_code == 200 and response["Location"].endswith(f"{VOLUMES}/{response.json()['volume']['id']}")
    volume = response.json()["volume"]
    assert set(volume) == {
        "id",
        "status",
        "size",
        "availabilityZone",
        "createdAt",
        "attachments",
        "displayName",
        "displayDescription",
        "volumeType",
        "snapshotId",
        "metadata",
    }
    assert (volume["displayName"], volume["size"], volume["metadata"], volume["attachments"]) == (
        "data",
        1,
        {"Type": "work"},
        [{}],
    )
    shown = demo_api.get(f"{VOLUMES}/{volume['id']}").json()["volume"]
    assert shown["status"] == "available" and shown["snapshotId"] is None
    assert demo_api.get(VOLUMES).json()["volumes"] == [shown]
    assert demo_api.get(f"{VOLUMES}/detail").json()["volumes"] == [shown]
    assert demo_api.delete(f"{VOLUMES}/{volume['id']}").status_code == 202
    assert demo_api.get(f"{VOLUMES}/{volume['id']}").status_code == 404


def test_offset_and_limit(demo_api):
    ids = [new(demo_api, display_name=f"v{n}")["id"] for n in range(3)]
    listed = [v["id"] for v in demo_api.get(VOLUMES).json()["volumes"]]
    assert sorted(listed) == sorted(ids)
    assert [v["id"] for v in demo_api.get(VOLUMES, {"limit": 2}).json()["volumes"]] == listed[:2]
    assert [v["id"] for v in demo_api.get(VOLUMES, {"offset": 1, "limit": 1}).json()["volumes"]] == listed[1:2]
    assert demo_api.get(VOLUMES, {"offset": -1}).status_code == 400


@pytest.mark.parametrize(
    "volume",
    [{"size": "#$%"}, {"size": 0}, {"display_name": "no size"}, {"size": 1, "name": "cinder's word"}, {"size": -1}],
)
def test_bad_creates_are_400(demo_api, volume):
    assert demo_api.post(VOLUMES, {"volume": volume}, format="json").status_code == 400


def test_unknown_ids_are_404_and_the_api_is_gone_at_2_36(demo_api):
    for volume_id in (str(uuid.uuid4()), "nope"):
        assert demo_api.get(f"{VOLUMES}/{volume_id}").status_code == 404
        assert demo_api.delete(f"{VOLUMES}/{volume_id}").status_code == 404
    snapshot = {"volume": {"size": 1, "snapshot_id": str(uuid.uuid4())}}
    assert demo_api.post(VOLUMES, snapshot, format="json").status_code == 404
    assert demo_api.get(VOLUMES, HTTP_OPENSTACK_API_VERSION="compute 2.35").status_code == 200
    assert demo_api.get(VOLUMES, HTTP_OPENSTACK_API_VERSION="compute 2.36").status_code == 404


def test_an_attached_volume_shows_its_server_and_is_not_deleted(demo_api, server):
    volume = new(demo_api)
    attached(server, volume)
    shown = demo_api.get(f"{VOLUMES}/{volume['id']}").json()["volume"]
    assert shown["status"] == "in-use"
    assert shown["attachments"] == [
        {"id": volume["id"], "volumeId": volume["id"], "serverId": str(server.uuid), "device": "/dev/vdb"}
    ]
    assert demo_api.delete(f"{VOLUMES}/{volume['id']}").status_code == 400


def test_attaching_an_attached_volume_is_400(demo_api, server):
    volume = new(demo_api)
    attached(server, volume)
    other = Server.objects.create(**{f: getattr(server, f) for f in ("name", "project_id", "user_id", "flavor")})
    Server.objects.filter(pk=other.pk).update(vm_state="active", host="c1", node="c1", launched_at=timezone.now())
    for target in (server, other):
        url = f"/compute/v2.1/servers/{target.uuid}/os-volume_attachments"
        response = demo_api.post(url, {"volumeAttachment": {"volumeId": volume["id"]}}, format="json")
        assert response.status_code == 400, response.content


def service_api() -> APIClient:
    project = Project.objects.get(name="admin")
    user = User(name="nova-service", default_project=project)
    user.set_password("secret")
    user.save()
    for role in ("admin", "service"):
        role_row, _ = Role.objects.get_or_create(name=role)
        RoleAssignment.objects.create(user=user, project=project, role=role_row)
    client = APIClient()
    client.credentials(HTTP_X_AUTH_TOKEN=issue_token(client, "nova-service", "admin"))
    return client


def test_update_delete_on_termination_from_2_85(demo_api, server):
    volume = new(demo_api)
    row = attached(server, volume)
    url = f"/compute/v2.1/servers/{server.uuid}/os-volume_attachments/{volume['id']}"
    v285 = {"HTTP_OPENSTACK_API_VERSION": "compute 2.85"}
    body = {"volumeAttachment": {"volumeId": volume["id"], "delete_on_termination": True, "device": "/dev/vdb"}}
    assert demo_api.put(url, body, format="json", **v285).status_code == 202
    row.refresh_from_db()
    assert row.delete_on_termination is True
    for bad in ({"device": "/dev/vdc"}, {"serverId": str(uuid.uuid4())}, {"tag": "t"}, {"delete_on_termination": "x"}):
        response = demo_api.put(url, {"volumeAttachment": {"volumeId": volume["id"], **bad}}, format="json", **v285)
        assert response.status_code == 400, bad
    gone = f"/compute/v2.1/servers/{server.uuid}/os-volume_attachments/{uuid.uuid4()}"
    missing = {"volumeAttachment": {"volumeId": gone.rsplit("/", 1)[1]}}
    assert demo_api.put(gone, missing, format="json", **v285).status_code == 404
    # Before 2.85 a PUT is a swap, and the extra fields are not allowed.
    assert demo_api.put(url, body, format="json").status_code == 400


def test_a_swap_is_the_service_roles_and_no_volume_here_migrates(demo_api, server):
    volume, other = new(demo_api), new(demo_api)
    attached(server, volume)
    url = f"/compute/v2.1/servers/{server.uuid}/os-volume_attachments/{volume['id']}"
    swap = {"volumeAttachment": {"volumeId": other["id"]}}
    assert demo_api.put(url, swap, format="json").status_code == 403
    service = service_api()
    refused = service.put(url, swap, format="json")
    assert refused.status_code == 409 and "not migrating" in refused.json()["conflictingRequest"]["message"]
    unknown = f"/compute/v2.1/servers/{server.uuid}/os-volume_attachments/{uuid.uuid4()}"
    assert service.put(unknown, swap, format="json").status_code == 404


def test_attachments_lose_id_for_attachment_id_at_2_89(demo_api, server):
    volume = new(demo_api)
    row = attached(server, volume)
    url = f"/compute/v2.1/servers/{server.uuid}/os-volume_attachments/{volume['id']}"
    before = demo_api.get(url, HTTP_OPENSTACK_API_VERSION="compute 2.88").json()["volumeAttachment"]
    assert before["id"] == volume["id"] and "attachment_id" not in before
    after = demo_api.get(url, HTTP_OPENSTACK_API_VERSION="compute 2.89").json()["volumeAttachment"]
    assert "id" not in after and after["attachment_id"] == str(row.uuid) and after["device"] == "/dev/vdb"


def test_the_answer_to_an_attach_keeps_id_at_2_89(demo_api, server):
    volume = new(demo_api)
    url = f"/compute/v2.1/servers/{server.uuid}/os-volume_attachments"
    body = {"volumeAttachment": {"volumeId": volume["id"]}}
    answer = demo_api.post(url, body, format="json", HTTP_OPENSTACK_API_VERSION="compute 2.89").json()
    assert answer["volumeAttachment"]["id"] == volume["id"]
    assert "attachment_id" not in answer["volumeAttachment"] and "bdm_uuid" not in answer["volumeAttachment"]


def test_attach_names_the_device_before_the_host_attaches(demo_api, server):
    url = f"/compute/v2.1/servers/{server.uuid}/os-volume_attachments"
    first, second, third = new(demo_api), new(demo_api), new(demo_api)
    answer = demo_api.post(url, {"volumeAttachment": {"volumeId": first["id"]}}, format="json").json()
    assert answer["volumeAttachment"]["device"] == "/dev/sdb"
    wanted = {"volumeAttachment": {"volumeId": second["id"], "device": "/dev/sdd"}}
    assert demo_api.post(url, wanted, format="json").json()["volumeAttachment"]["device"] == "/dev/sdd"
    ignored = {"volumeAttachment": {"volumeId": third["id"], "device": "/dev/vdb"}}  # not a name the driver gives
    assert demo_api.post(url, ignored, format="json").json()["volumeAttachment"]["device"] == "/dev/sdc"


def test_a_shelved_offloaded_server_attaches_and_detaches_at_once(demo_api, server):
    Server.objects.filter(pk=server.pk).update(vm_state="shelved_offloaded", host=None, node=None)
    volume = new(demo_api)
    url = f"/compute/v2.1/servers/{server.uuid}/os-volume_attachments"
    attached_now = demo_api.post(url, {"volumeAttachment": {"volumeId": volume["id"]}}, format="json")
    assert attached_now.status_code == 200 and attached_now.json()["volumeAttachment"]["device"] == "/dev/sdb"
    assert Volume.objects.get(id=volume["id"]).status == "in-use"
    assert VolumeAttachment.objects.get(volume_id=volume["id"]).status == "attached"
    assert demo_api.delete(f"{url}/{volume['id']}").status_code == 202
    assert Volume.objects.get(id=volume["id"]).status == "available"
    assert not VolumeAttachment.objects.filter(volume_id=volume["id"]).exists()
    actions = demo_api.get(f"/compute/v2.1/servers/{server.uuid}/os-instance-actions").json()["instanceActions"]
    assert sorted(a["action"] for a in actions) == ["attach_volume", "detach_volume"]


def test_deleting_a_server_frees_its_volumes_and_deletes_those_marked_so(
    demo_api, server, django_capture_on_commit_callbacks
):
    kept, dropped = new(demo_api), new(demo_api)
    attached(server, kept)
    row = attached(server, dropped, device="sdc")
    VolumeAttachment.objects.filter(pk=row.pk).update(delete_on_termination=True)
    Server.objects.filter(pk=server.pk).update(task_state="deleting")
    server.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        delete.finish_delete(server)
    assert Volume.objects.get(id=kept["id"]).status == "available"
    assert not Volume.objects.filter(id=dropped["id"]).exists()
    assert not VolumeAttachment.objects.exists()
