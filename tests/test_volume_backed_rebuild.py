"""Rebuild of a volume-backed server from 2.93 (Nova's reimage_boot_volume): the API accepts
another image and the conductor writes it over the root volume, which keeps its id and
attachment and then remembers the new image; a re-image that fails leaves the volume in
error and the server in error with a fault. Before 2.93 another image stays refused."""

from __future__ import annotations

import shutil

import pytest

from images import store as image_store
from servers.models import Server
from volumes.models import Volume
from workers.conductor import block_devices
from workers.conductor.operations import run_operation

from .test_volume_backed_image import IMAGE, ROOT, create, running

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def volume_dir(settings, tmp_path):
    settings.VOLUME_DIR = str(tmp_path / "volumes")


def alternate_image(with_data: bool = True):
    source = image_store.Image.objects.get(id=IMAGE)
    image = image_store.create_image(
        name="alt", owner=None, visibility="public", disk_format=source.disk_format, container_format="bare"
    )
    if with_data:
        shutil.copyfile(image_store.image_path(IMAGE), image_store.image_path(image.id))
    image_store.Image.objects.filter(id=image.id).update(status="active", size=source.size)
    image.refresh_from_db()
    return image


def rebuild(api, server: Server, image_id: str, version: str):
    return api.post(
        f"/compute/v2.1/servers/{server.uuid}/action",
        {"rebuild": {"imageRef": image_id}},
        format="json",
        HTTP_OPENSTACK_API_VERSION=f"compute {version}",
    )


def root_volume(server: Server) -> Volume:
    return Volume.objects.get(id=str(server.block_devices.get(boot_index=0).volume_id))


def test_from_2_93_the_root_volume_is_reimaged(demo_api):
    server = running(create(demo_api, [ROOT]))
    alt = alternate_image()
    refused = rebuild(demo_api, server, str(alt.id), "2.92")
    assert refused.status_code == 400 and "Unable to rebuild with a different image" in refused.content.decode()
    response = rebuild(demo_api, server, str(alt.id), "2.93")
    assert response.status_code == 202, response.content
    assert response.json()["server"]["image"] == ""
    server.refresh_from_db()
    assert (server.task_state, server.image_ref) == ("rebuilding", "")
    before = root_volume(server)
    block_devices.reimage_root(server, str(alt.id))
    after = root_volume(server)
    assert (after.id, after.status, after.attached_server_uuid) == (before.id, "in-use", server.uuid)
    assert (str(after.source_image_id), after.image_metadata["image_id"]) == (str(alt.id), str(alt.id))
    shown = demo_api.get(f"/volume/v3/{server.project_id}/volumes/{after.id}").json()["volume"]
    assert shown["volume_image_metadata"]["image_name"] == "alt"


def test_a_failed_reimage_leaves_the_volume_and_the_server_in_error(demo_api):
    server = running(create(demo_api, [ROOT]))
    broken = alternate_image(with_data=False)
    assert rebuild(demo_api, server, str(broken.id), "2.93").status_code == 202
    run_operation(str(server.uuid), "req-reimage", "rebuild", {"reimage_image_id": str(broken.id)})
    server.refresh_from_db()
    volume = root_volume(server)
    assert (volume.status, str(volume.source_image_id)) == ("error", IMAGE)
    assert "has no data" in volume.error_message
    assert server.vm_state == "error" and server.task_state is None
    assert "has no data" in server.faults.get().message
