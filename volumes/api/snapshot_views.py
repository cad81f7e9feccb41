"""Block storage v3 snapshots under /volume/v3/{project_id}/snapshots: list, detail, show,
create, update, delete, metadata, and the actions os-reset_status and os-force_delete
(admins). Views read the request, call volumes.snapshots and render."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from rest_framework.request import Request
from rest_framework.response import Response

from core.exceptions import BadRequest
from core.microversions import Microversion
from core.paging import parse_limit
from identity.catalog import base_url
from volumes import services, snapshots
from volumes.models import Snapshot

from . import openapi_snapshots as api_doc
from . import snapshot_representation as doc
from . import snapshot_validation, validation
from .representation import MIN_VERSION
from .sorting import cinder_order, sort_parameters
from .views import VolumeServiceView


class SnapshotServiceView(VolumeServiceView):
    """Base of the snapshot views: the request's volume version and the rendering."""

    def version(self) -> Microversion:
        found = getattr(self.request, "volume_version", None)
        return found if found is not None else Microversion.parse(MIN_VERSION)

    def render(self, snapshot: Snapshot, *, extended: bool = True) -> dict[str, Any]:
        return doc.detail(snapshot, version=self.version(), extended=extended)

    def listed(self, request: Request, project_id: str, *, detailed: bool) -> Response:
        """GET /snapshots and /snapshots/detail: status, volume_id and name filters,
        all_tenants (admins, with project_id), limit/marker paging with a `snapshots_links`
        next link only when more rows follow."""
        project = services.project_scope(self.caller, project_id)
        params = request.query_params
        validation.reject_nul(dict(params.lists()))
        limit = parse_limit(params.get("limit"), default=settings.API_MAX_LIMIT, maximum=settings.API_MAX_LIMIT)
        query = snapshots.SnapshotQuery(
            limit=limit,
            name=params.get("name") or None,
            status=params.get("status") or None,
            volume_id=params.get("volume_id") or None,
            project_id=params.get("project_id") or None,
            all_tenants=validation.query_flag(params.get("all_tenants"), "all_tenants"),
            marker=params.get("marker") or None,
            order=cinder_order(params),
        )
        found = snapshots.list_snapshots(self.caller, project, query)
        rows = [self.render(s) if detailed else doc.summary(s) for s in found.snapshots]
        body: dict[str, Any] = {"snapshots": rows}
        if found.more and found.snapshots:
            used = {"name": query.name, "status": query.status, "volume_id": query.volume_id}
            if found.all_tenants:
                used |= {"project_id": query.project_id, "all_tenants": "1"}
            path = f"{base_url(request)}/volume/v3/{project}/snapshots{'/detail' if detailed else ''}"
            next_query = {
                **{k: v for k, v in used.items() if v},
                **sort_parameters(params),
                "limit": limit,
                "marker": str(found.snapshots[-1].id),
            }
            body["snapshots_links"] = [{"rel": "next", "href": f"{path}?{urlencode(next_query, doseq=True)}"}]
        return Response(body)


class SnapshotsView(SnapshotServiceView):
    """GET (summaries) and POST (202, the new snapshot) /volume/v3/{project_id}/snapshots."""

    openapi = {"get": api_doc.SNAPSHOT_LIST, "post": api_doc.SNAPSHOT_CREATE}

    def get(self, request: Request, project_id: str) -> Response:
        return self.listed(request, project_id, detailed=False)

    def post(self, request: Request, project_id: str) -> Response:
        project = services.project_scope(self.caller, project_id)
        spec = snapshot_validation.new_snapshot(request.data, self.version())
        snapshot = snapshots.create_snapshot(self.caller, project, spec)
        return Response({"snapshot": self.render(snapshot, extended=False)}, status=202)


class SnapshotsDetailView(SnapshotServiceView):
    openapi = {"get": api_doc.SNAPSHOT_DETAIL_LIST}

    def get(self, request: Request, project_id: str) -> Response:
        return self.listed(request, project_id, detailed=True)


class SnapshotView(SnapshotServiceView):
    """GET, PUT (name, description) and DELETE (202; 400 unless available or error)."""

    openapi = {"get": api_doc.SNAPSHOT_SHOW, "put": api_doc.SNAPSHOT_UPDATE, "delete": api_doc.SNAPSHOT_DELETE}

    def get(self, request: Request, project_id: str, snapshot_id: str) -> Response:
        return Response({"snapshot": self.render(snapshots.get_snapshot(self.caller, project_id, snapshot_id))})

    def put(self, request: Request, project_id: str, snapshot_id: str) -> Response:
        snapshot = snapshots.get_snapshot(self.caller, project_id, snapshot_id)
        changes = snapshot_validation.snapshot_changes(request.data)
        snapshot = snapshots.update_snapshot(self.caller, snapshot, changes)
        return Response({"snapshot": self.render(snapshot, extended=False)})

    def delete(self, request: Request, project_id: str, snapshot_id: str) -> Response:
        snapshots.delete_snapshot(self.caller, snapshots.get_snapshot(self.caller, project_id, snapshot_id))
        return Response(status=202)


class SnapshotActionView(SnapshotServiceView):
    """POST /snapshots/{id}/action, for admins: {"os-reset_status": {"status": S}} and
    {"os-force_delete": {}}; 202 with no body."""

    openapi = {"post": api_doc.SNAPSHOT_ACTION}

    def post(self, request: Request, project_id: str, snapshot_id: str) -> Response:
        name, argument = validation.action(request.data)
        snapshot = snapshots.get_snapshot(self.caller, project_id, snapshot_id)
        if name == "os-reset_status":
            if not isinstance(argument, dict) or not isinstance(argument.get("status"), str):
                raise BadRequest('Invalid input for os-reset_status: {"status": <status>} is required.')
            snapshots.reset_snapshot_status(self.caller, snapshot, argument["status"])
        elif name == "os-force_delete":
            if argument is not None and not isinstance(argument, dict):
                raise BadRequest("Invalid input for os-force_delete: an object is required.")
            snapshots.force_delete_snapshot(self.caller, snapshot)
        else:
            raise BadRequest(f"There is no such action: {name}")
        return Response(status=202)


class SnapshotMetadataView(SnapshotServiceView):
    """GET, POST (merge) and PUT (replace) /snapshots/{id}/metadata."""

    openapi = {"get": api_doc.METADATA_SHOW, "post": api_doc.METADATA_MERGE, "put": api_doc.METADATA_REPLACE}

    def get(self, request: Request, project_id: str, snapshot_id: str) -> Response:
        snapshot = snapshots.get_snapshot(self.caller, project_id, snapshot_id)
        return Response({"metadata": dict(snapshot.metadata or {})})

    def post(self, request: Request, project_id: str, snapshot_id: str) -> Response:
        snapshot = snapshots.get_snapshot(self.caller, project_id, snapshot_id)
        items = snapshot_validation.metadata_body(request.data)
        return Response({"metadata": snapshots.set_metadata(self.caller, snapshot, items, replace=False)})

    def put(self, request: Request, project_id: str, snapshot_id: str) -> Response:
        snapshot = snapshots.get_snapshot(self.caller, project_id, snapshot_id)
        items = snapshot_validation.metadata_body(request.data)
        return Response({"metadata": snapshots.set_metadata(self.caller, snapshot, items, replace=True)})


class SnapshotMetadataKeyView(SnapshotServiceView):
    """GET, PUT and DELETE /snapshots/{id}/metadata/{key}."""

    openapi = {"get": api_doc.META_SHOW, "put": api_doc.META_SET, "delete": api_doc.META_DELETE}

    def get(self, request: Request, project_id: str, snapshot_id: str, key: str) -> Response:
        snapshot = snapshots.get_snapshot(self.caller, project_id, snapshot_id)
        if key not in (snapshot.metadata or {}):
            raise snapshots.metadata_not_found(snapshot, key)
        return Response({"meta": {key: snapshot.metadata[key]}})

    def put(self, request: Request, project_id: str, snapshot_id: str, key: str) -> Response:
        snapshot = snapshots.get_snapshot(self.caller, project_id, snapshot_id)
        item = snapshot_validation.meta_item(request.data, key)
        snapshots.set_metadata(self.caller, snapshot, item, replace=False)
        return Response({"meta": item})

    def delete(self, request: Request, project_id: str, snapshot_id: str, key: str) -> Response:
        snapshot = snapshots.get_snapshot(self.caller, project_id, snapshot_id)
        snapshots.delete_metadata_key(self.caller, snapshot, key)
        return Response(status=200)
