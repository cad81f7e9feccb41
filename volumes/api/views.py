"""Block storage v3 API (a Cinder subset) under /volume/v3/{project_id}/: volumes (list,
detail, show, create, update, delete, actions os-extend and os-reset_status), the quota set,
and the version documents. Views are thin: rules and file work live in volumes.store."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.conf import settings
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exceptions import BadRequest, Forbidden, NotFound
from identity.catalog import base_url
from identity.models import Project
from images.api.paging import page, parse_limit
from novasite.versions import PublicView
from volumes import quotas, store
from volumes.models import Volume

from . import representation as doc
from . import validation


def scoped_project(request, project_id: str) -> str:
    """The project in the URL. It must be the token's (else 400, Cinder's "Malformed request
    url"); admins may name any existing project and then act in it."""
    caller = request.user
    if project_id == caller.project_id:
        return project_id
    if not caller.is_admin:
        raise BadRequest("Malformed request url")
    if not Project.objects.filter(id=project_id).exists():
        raise NotFound(f"Project {project_id} could not be found.")
    return project_id


def find_volume(request, project_id: str, volume_id: str) -> Volume:
    """The volume if the caller may see it: its project's, or any for an admin."""
    scoped_project(request, project_id)
    try:
        key = uuid.UUID(volume_id)
    except ValueError:
        raise NotFound(f"Volume {volume_id} could not be found.") from None
    volumes = (
        Volume.objects.all() if request.user.is_admin else Volume.objects.filter(project_id=request.user.project_id)
    )
    volume = volumes.filter(id=key).first()
    if volume is None:
        raise NotFound(f"Volume {volume_id} could not be found.")
    return volume


def listed(request, project_id: str, *, detailed: bool) -> Response:
    """GET /volumes and /volumes/detail: name and status filters, all_tenants (admin),
    limit/marker paging with a `volumes_links` next link only when more rows follow."""
    project = scoped_project(request, project_id)
    params = request.query_params
    validation.reject_nul(dict(params.lists()))
    everything = request.user.is_admin and validation.flag(params.get("all_tenants"), "all_tenants")
    volumes = Volume.objects.all() if everything else Volume.objects.filter(project_id=project)
    used = {}
    for name in ("name", "status") + (("project_id",) if everything else ()):
        if params.get(name):
            volumes = volumes.filter(**{name: params[name]})
            used[name] = params[name]
    if everything:
        used["all_tenants"] = "1"
    limit = parse_limit(params.get("limit"), default=settings.API_MAX_LIMIT, maximum=settings.API_MAX_LIMIT)
    marker = None
    if params.get("marker"):
        try:
            marker = volumes.filter(id=uuid.UUID(params["marker"])).first()
        except ValueError:
            pass
        if marker is None:
            raise BadRequest(f"Marker {params['marker']} could not be found.")
    rows, more = page(volumes, limit=limit, marker=marker)
    root = base_url(request)
    render = (
        (lambda v: doc.detail(root, v, admin=request.user.is_admin)) if detailed else (lambda v: doc.summary(root, v))
    )
    body: dict = {"volumes": [render(volume) for volume in rows]}
    if more and rows:
        path = f"{root}/volume/v3/{project}/volumes{'/detail' if detailed else ''}"
        query = urlencode({**used, "limit": limit, "marker": str(rows[-1].id)})
        body["volumes_links"] = [{"rel": "next", "href": f"{path}?{query}"}]
    return Response(body)


class VolumesView(APIView):
    """GET (summaries) and POST (202, the new volume) /volume/v3/{project_id}/volumes."""

    def get(self, request, project_id: str):
        return listed(request, project_id, detailed=False)

    def post(self, request, project_id: str):
        project = scoped_project(request, project_id)
        fields = validation.create_fields(request.user, request.data)
        volume = store.create_volume(project_id=project, user_id=request.user.user_id, **fields)
        return Response({"volume": doc.detail(base_url(request), volume, admin=request.user.is_admin)}, status=202)


class VolumesDetailView(APIView):
    def get(self, request, project_id: str):
        return listed(request, project_id, detailed=True)


class VolumeView(APIView):
    """GET, PUT (name, description, metadata) and DELETE (202; 409 while attached)."""

    def get(self, request, project_id: str, volume_id: str):
        volume = find_volume(request, project_id, volume_id)
        return Response({"volume": doc.detail(base_url(request), volume, admin=request.user.is_admin)})

    def put(self, request, project_id: str, volume_id: str):
        volume = find_volume(request, project_id, volume_id)
        volume = store.update_volume(volume, validation.update_fields(request.data))
        return Response({"volume": doc.detail(base_url(request), volume, admin=request.user.is_admin)})

    def delete(self, request, project_id: str, volume_id: str):
        store.delete_volume(find_volume(request, project_id, volume_id))
        return Response(status=202)


class VolumeActionView(APIView):
    """POST /volumes/{id}/action: {"os-extend": {"new_size": N}} and, for admins,
    {"os-reset_status": {"status": S}}; both 202 with no body."""

    def post(self, request, project_id: str, volume_id: str):
        name, argument = validation.action(request.data)
        volume = find_volume(request, project_id, volume_id)
        if name == "os-extend":
            if not isinstance(argument, dict) or "new_size" not in argument:
                raise BadRequest('Invalid input for os-extend: {"new_size": <GiB>} is required.')
            store.extend_volume(volume, argument["new_size"])
        elif name == "os-reset_status":
            if not request.user.is_admin:
                raise Forbidden(
                    "Policy doesn't allow volume_extension:volume_admin_actions:reset_status to be performed."
                )
            if not isinstance(argument, dict) or not isinstance(argument.get("status"), str):
                raise BadRequest('Invalid input for os-reset_status: {"status": <status>} is required.')
            store.reset_status(volume, argument["status"])
        else:
            raise BadRequest(f"There is no such action: {name}")
        return Response(status=202)


class QuotaSetView(APIView):
    """GET /os-quota-sets/{target}[?usage=True] and /os-quota-sets/{target}/defaults.
    Members may read their own project's only."""

    defaults = False

    def get(self, request, project_id: str, target: str):
        scoped_project(request, project_id)
        validation.reject_nul(target)
        if target != request.user.project_id and not request.user.is_admin:
            raise Forbidden("Policy doesn't allow volume_extension:quotas:show to be performed.")
        limits = quotas.limits(target)
        if self.defaults:
            return Response({"quota_set": doc.quota_set(target, dict(settings.VOLUME_QUOTA_DEFAULTS))})
        usage = quotas.usage(target) if validation.flag(request.query_params.get("usage"), "usage") else None
        return Response({"quota_set": doc.quota_set(target, limits, usage)})


class VolumeVersions(PublicView):
    """GET /volume: the version list (300 Multiple Choices, as Cinder answers)."""

    def get(self, request):
        return Response({"versions": [doc.version_document(base_url(request))]}, status=300)


class VolumeV3(PublicView):
    """GET /volume/v3: the same list, 200."""

    def get(self, request):
        return Response({"versions": [doc.version_document(base_url(request))]})
