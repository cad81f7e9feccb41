"""A build with block device mappings that fails on its (only) host ends in ERROR with a
fault and leaves every volume truthful: a volume the user named is available again (even
with delete_on_termination), a volume made for the build is deleted when its mapping says
delete_on_termination and left available otherwise."""

from __future__ import annotations

import time

import pytest

from novasite.demo import CIRROS_IMAGE_ID
from servers.models import VolumeAttachment
from volumes.models import Volume

from .test_block_devices import (  # noqa: F401 (module fixtures: the shared volume directory)
    boot,
    existing,
    new_volume,
    shared_volume_dir,
    volume_dir,
    worker_env,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def compute_hosts():
    return {"compute1": "compute.build_and_run_instance"}


def test_failed_build_leaves_the_volumes_truthful(demo):
    named = new_volume(demo, imageRef=str(CIRROS_IMAGE_ID))
    mappings = [
        {
            "source_type": "volume",
            "destination_type": "volume",
            "uuid": named["id"],
            "boot_index": 0,
            "delete_on_termination": True,
        },
        {"source_type": "blank", "destination_type": "volume", "volume_size": 1, "delete_on_termination": True},
        {"source_type": "blank", "destination_type": "volume", "volume_size": 1},
    ]
    before = set(Volume.objects.values_list("id", flat=True))
    sid = boot(demo, mappings)
    server = demo.wait_until_settled(sid)
    assert server["status"] == "ERROR" and "injected fault" in server["fault"]["message"]
    assert server["os-extended-volumes:volumes_attached"] == []
    assert not VolumeAttachment.objects.filter(server__uuid=sid).exists()
    shown = existing(demo, named["id"])
    assert shown["status"] == "available" and shown["attachments"] == []
    # Of the two blank volumes made for the build, the one to delete on termination is gone.
    # Its delete runs once the failure is committed (Cinder's delete is asynchronous too), so
    # it is awaited briefly rather than assumed to have happened already.
    deadline = time.monotonic() + 10
    while True:
        made = [(v.status, v.attached_server_uuid) for v in Volume.objects.exclude(id__in=before)]
        if made == [("available", None)] or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert made == [("available", None)]
