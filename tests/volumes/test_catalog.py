"""What Horizon's volume pages read besides volumes: the volume types and the default one,
the project's absolute limits, the block storage services, and the (empty) transfers, in
Cinder's shapes (its api-ref)."""

from __future__ import annotations

import pytest

from .helpers import create, pid, url

pytestmark = pytest.mark.django_db


def test_the_default_type_is_the_only_type_and_every_volumes(demo_api):
    listed = demo_api.get(url("/types"))
    assert listed.status_code == 200, listed.content
    (volume_type,) = listed.json()["volume_types"]
    assert volume_type == {
        "id": volume_type["id"],
        "name": "__DEFAULT__",
        "description": "Default Volume Type",
        "is_public": True,
        "os-volume-type-access:is_public": True,
        "extra_specs": {},
        "qos_specs_id": None,
    }
    assert demo_api.get(url("/types/default")).json() == {"volume_type": volume_type}
    assert demo_api.get(url(f"/types/{volume_type['id']}")).json() == {"volume_type": volume_type}
    assert demo_api.get(url("/types/__DEFAULT__")).json() == {"volume_type": volume_type}
    missing = demo_api.get(url("/types/nope"))
    assert missing.status_code == 404
    assert missing.json() == {"itemNotFound": {"code": 404, "message": "Volume type nope could not be found."}}
    assert create(demo_api)["volume_type"] == volume_type["name"]
    # Another project's URL is Cinder's malformed request.
    assert demo_api.get(url("/types", project="admin")).status_code == 400


def test_limits_count_the_projects_volumes(demo_api):
    def absolute() -> dict:
        response = demo_api.get(url("/limits"))
        assert response.status_code == 200, response.content
        assert response.json()["limits"]["rate"] == []
        return response.json()["limits"]["absolute"]

    before = absolute()
    assert before == {
        "maxTotalVolumes": 10,
        "maxTotalSnapshots": 10,
        "maxTotalVolumeGigabytes": 1000,
        "maxTotalBackups": 10,
        "maxTotalBackupGigabytes": 1000,
        "totalVolumesUsed": 0,
        "totalSnapshotsUsed": 0,
        "totalGigabytesUsed": 0,
        "totalBackupsUsed": 0,
        "totalBackupGigabytesUsed": 0,
    }
    create(demo_api, size=2)
    after = absolute()
    assert (after["totalVolumesUsed"], after["totalGigabytesUsed"]) == (1, 2)


def test_os_services_is_the_admins(admin_api, demo_api):
    admin = f"/volume/v3/{pid('admin')}/os-services"
    listed = admin_api.get(admin)
    assert listed.status_code == 200, listed.content
    (service,) = listed.json()["services"]
    assert service["binary"] == "cinder-volume" and service["host"].endswith("@file")
    assert (service["zone"], service["status"], service["state"], service["disabled_reason"]) == (
        "nova",
        "enabled",
        "up",
        None,
    )
    assert "cluster" not in service and service["updated_at"]
    newer = admin_api.get(admin, HTTP_OPENSTACK_API_VERSION="volume 3.49").json()["services"][0]
    assert newer["cluster"] is None and newer["backend_state"] == "up"
    assert admin_api.get(admin, {"binary": "cinder-scheduler"}).json() == {"services": []}
    refused = demo_api.get(url("/os-services"))
    assert refused.status_code == 403
    assert refused.json()["forbidden"]["code"] == 403


@pytest.mark.parametrize(
    "path", ["/os-volume-transfer", "/os-volume-transfer/detail", "/volume-transfers", "/volume-transfers/detail"]
)
def test_transfers_are_an_empty_list(demo_api, path):
    response = demo_api.get(url(path))
    assert response.status_code == 200 and response.json() == {"transfers": []}
