"""Volume types (/types, /types/default, /types/{id}), /limits, /os-services and the volume
transfers (/os-volume-transfer[/detail], /volume-transfers[/detail]) under
/volume/v3/{project_id}/: what Horizon's volume pages read. ``volumes.catalog`` decides."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from core.microversions import Microversion
from core.timestamps import micro
from volumes import catalog

from . import openapi_catalog as doc
from .views import VolumeServiceView

#: os-services adds ``cluster`` at 3.7 and a volume service's ``backend_state`` at 3.49.
CLUSTER_SINCE, BACKEND_STATE_SINCE = Microversion.parse("3.7"), Microversion.parse("3.49")


def type_document(volume_type: catalog.VolumeType) -> dict[str, Any]:
    """A volume type as Cinder shows it."""
    return {
        "id": str(volume_type.id),
        "name": volume_type.name,
        "description": volume_type.description,
        "is_public": volume_type.is_public,
        "os-volume-type-access:is_public": volume_type.is_public,
        "extra_specs": dict(volume_type.extra_specs),
        "qos_specs_id": None,
    }


class TypesView(VolumeServiceView):
    """GET /types."""

    openapi = {"get": doc.TYPE_LIST}

    def get(self, request: Request, project_id: str) -> Response:
        found = catalog.list_types(self.caller, project_id)
        return Response({"volume_types": [type_document(volume_type) for volume_type in found]})


class DefaultTypeView(VolumeServiceView):
    """GET /types/default."""

    openapi = {"get": doc.TYPE_DEFAULT}

    def get(self, request: Request, project_id: str) -> Response:
        return Response({"volume_type": type_document(catalog.default_type(self.caller, project_id))})


class TypeView(VolumeServiceView):
    """GET /types/{id}."""

    openapi = {"get": doc.TYPE_SHOW}

    def get(self, request: Request, project_id: str, type_id: str) -> Response:
        return Response({"volume_type": type_document(catalog.get_type(self.caller, project_id, type_id))})


class LimitsView(VolumeServiceView):
    """GET /limits: Cinder's absolute limits (no rate limits)."""

    openapi = {"get": doc.LIMITS}

    def get(self, request: Request, project_id: str) -> Response:
        found = catalog.absolute_limits(self.caller, project_id)
        limit, used = found.limits, found.used
        absolute = {
            "maxTotalVolumes": limit["volumes"],
            "maxTotalSnapshots": limit["snapshots"],
            "maxTotalVolumeGigabytes": limit["gigabytes"],
            "maxTotalBackups": limit["backups"],
            "maxTotalBackupGigabytes": limit["backup_gigabytes"],
            "totalVolumesUsed": used["volumes"],
            "totalSnapshotsUsed": used["snapshots"],
            "totalGigabytesUsed": used["gigabytes"],
            "totalBackupsUsed": used["backups"],
            "totalBackupGigabytesUsed": used["backup_gigabytes"],
        }
        return Response({"limits": {"rate": [], "absolute": absolute}})


class ServicesView(VolumeServiceView):
    """GET /os-services[?binary=&host=] (administrators)."""

    openapi = {"get": doc.SERVICE_LIST}

    def get(self, request: Request, project_id: str) -> Response:
        params = request.query_params
        found = catalog.list_services(self.caller, project_id, binary=params.get("binary"), host=params.get("host"))
        version: Microversion = request.volume_version  # type: ignore[attr-defined]
        return Response({"services": [self._entry(service, version) for service in found]})

    @staticmethod
    def _entry(service: catalog.BlockStorageService, version: Microversion) -> dict[str, Any]:
        state = "up" if service.up else "down"
        entry: dict[str, Any] = {
            "binary": service.binary,
            "host": service.host,
            "zone": service.zone,
            "status": "enabled" if service.enabled else "disabled",
            "state": state,
            "updated_at": micro(service.updated_at),
            "disabled_reason": None,
        }
        if version >= CLUSTER_SINCE:
            entry["cluster"] = None
        if version >= BACKEND_STATE_SINCE and service.binary == "cinder-volume":
            entry["backend_state"] = state
        return entry


class TransfersView(VolumeServiceView):
    """GET the project's volume transfers, summary or detail: none."""

    openapi = {"get": doc.TRANSFER_LIST}

    def get(self, request: Request, project_id: str) -> Response:
        return Response({"transfers": catalog.list_transfers(self.caller, project_id)})
