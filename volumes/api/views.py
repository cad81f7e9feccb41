"""Block storage v3 API (a Cinder subset) under /volume/v3/{project_id}/: volumes (list,
detail, show, create (blank, from an image or from a snapshot), update, delete (cascade),
actions os-extend, os-set_bootable and os-reset_status), the quota set, and the version
documents; snapshots are in snapshot_views. Views are thin: they read the request, call volumes.services
(policy, quota and the order of the work) and render. The URL's project is checked first,
as Cinder's WSGI layer does before reading the body."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from rest_framework.request import Request
from rest_framework.response import Response

from core import policy
from core.exceptions import BadRequest
from core.openapi import versions as versions_doc
from core.paging import parse_limit
from core.params import bool_word
from core.views import PublicView, ServiceView
from identity.catalog import base_url
from volumes import services
from volumes.models import Volume

from . import microversion, validation
from . import openapi as api_doc
from . import representation as doc
from .sorting import cinder_order, sort_parameters


class VolumeServiceView(ServiceView):
    """Base of every authenticated v3 view: reads ``OpenStack-API-Version: volume 3.X``
    (``request.volume_version``) and echoes it with ``Vary`` on every response, errors
    included, as Cinder does (Tempest's volume clients check the echo)."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        request.volume_version = microversion.requested(request.headers)  # type: ignore[attr-defined]
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        version = getattr(request, "volume_version", None)
        if version is not None:
            response[microversion.HEADER] = f"{microversion.SERVICE} {version}"
            response["Vary"] = microversion.HEADER
        return response


class CinderView(VolumeServiceView):
    """Base of the volume views: renders volumes as the caller may see them."""

    def render(self, volume: Volume, *, extended: bool = True) -> dict[str, Any]:
        """The volume at the request's version; ``extended`` for show and list (not create
        and update, whose answers Cinder's extensions leave alone)."""
        admin = policy.allows(self.caller, policy.VOLUME_HOST_ATTRIBUTE)
        version = getattr(self.request, "volume_version", None)
        return doc.detail(base_url(self.request), volume, admin=admin, version=version, extended=extended)

    def listed(self, request: Request, project_id: str, *, detailed: bool) -> Response:
        """GET /volumes and /volumes/detail: name and status filters, all_tenants (admin),
        limit/marker paging with a `volumes_links` next link only when more rows follow."""
        project = services.project_scope(self.caller, project_id)
        params = request.query_params
        validation.reject_nul(dict(params.lists()))
        all_tenants = validation.query_flag(params.get("all_tenants"), "all_tenants")
        limit = parse_limit(params.get("limit"), default=settings.API_MAX_LIMIT, maximum=settings.API_MAX_LIMIT)
        query = services.VolumeQuery(
            limit=limit,
            name=params.get("name") or None,
            status=params.get("status") or None,
            project_id=params.get("project_id") or None,
            all_tenants=all_tenants,
            marker=params.get("marker") or None,
            order=cinder_order(params),
        )
        found = services.list_volumes(self.caller, project, query)
        root = base_url(request)
        render: Callable[[Volume], dict[str, Any]] = (
            self.render if detailed else (lambda volume: doc.summary(root, volume))
        )
        body: dict[str, Any] = {"volumes": [render(volume) for volume in found.volumes]}
        if found.more and found.volumes:
            used = {"name": query.name, "status": query.status}
            if found.all_tenants:
                used |= {"project_id": query.project_id, "all_tenants": "1"}
            path = f"{root}/volume/v3/{project}/volumes{'/detail' if detailed else ''}"
            next_query = {
                **{k: v for k, v in used.items() if v},
                **sort_parameters(params),
                "limit": limit,
                "marker": str(found.volumes[-1].id),
            }
            body["volumes_links"] = [{"rel": "next", "href": f"{path}?{urlencode(next_query, doseq=True)}"}]
        return Response(body)


class VolumesView(CinderView):
    """GET (summaries) and POST (202, the new volume) /volume/v3/{project_id}/volumes."""

    openapi = {"get": api_doc.VOLUME_LIST, "post": api_doc.VOLUME_CREATE}

    def get(self, request: Request, project_id: str) -> Response:
        return self.listed(request, project_id, detailed=False)

    def post(self, request: Request, project_id: str) -> Response:
        project = services.project_scope(self.caller, project_id)
        volume = services.create_volume(self.caller, project, validation.new_volume(request.data))
        return Response({"volume": self.render(volume, extended=False)}, status=202)


class VolumesDetailView(CinderView):
    openapi = {"get": api_doc.VOLUME_DETAIL_LIST}

    def get(self, request: Request, project_id: str) -> Response:
        return self.listed(request, project_id, detailed=True)


class VolumeView(CinderView):
    """GET, PUT (name, description, metadata) and DELETE (202; 400 while attached or while it
    has snapshots, unless ?cascade=true)."""

    openapi = {"get": api_doc.VOLUME_SHOW, "put": api_doc.VOLUME_UPDATE, "delete": api_doc.VOLUME_DELETE}

    def get(self, request: Request, project_id: str, volume_id: str) -> Response:
        return Response({"volume": self.render(services.get_volume(self.caller, project_id, volume_id))})

    def put(self, request: Request, project_id: str, volume_id: str) -> Response:
        volume = services.get_volume(self.caller, project_id, volume_id)
        volume = services.update_volume(self.caller, volume, validation.volume_changes(request.data))
        return Response({"volume": self.render(volume, extended=False)})

    def delete(self, request: Request, project_id: str, volume_id: str) -> Response:
        cascade = validation.query_flag(request.query_params.get("cascade"), "cascade")
        volume = services.get_volume(self.caller, project_id, volume_id)
        services.delete_volume(self.caller, volume, cascade=cascade)
        return Response(status=202)


class VolumeActionView(CinderView):
    """POST /volumes/{id}/action: {"os-extend": {"new_size": N}}, {"os-set_bootable":
    {"bootable": B}} (200) and, for admins, {"os-reset_status": {"status": S}}; 202 with no
    body unless said."""

    openapi = {"post": api_doc.VOLUME_ACTION}

    def post(self, request: Request, project_id: str, volume_id: str) -> Response:
        name, argument = validation.action(request.data)
        volume = services.get_volume(self.caller, project_id, volume_id)
        if name == "os-extend":
            if not isinstance(argument, dict) or "new_size" not in argument:
                raise BadRequest('Invalid input for os-extend: {"new_size": <GiB>} is required.')
            services.extend_volume(self.caller, volume, validation.size(argument["new_size"], "new_size"))
        elif name == "os-reset_status":
            if not isinstance(argument, dict) or not isinstance(argument.get("status"), str):
                raise BadRequest('Invalid input for os-reset_status: {"status": <status>} is required.')
            services.reset_status(self.caller, volume, argument["status"])
        elif name == "os-set_bootable":
            bootable = bool_word(argument.get("bootable")) if isinstance(argument, dict) else None
            if bootable is None:
                raise BadRequest('Invalid input for os-set_bootable: {"bootable": <true|false>} is required.')
            services.set_bootable(self.caller, volume, bootable)
            return Response(status=200)
        else:
            raise BadRequest(f"There is no such action: {name}")
        return Response(status=202)


class QuotaSetView(VolumeServiceView):
    """GET /os-quota-sets/{target}[?usage=True] and /os-quota-sets/{target}/defaults.
    Members may read their own project's only."""

    openapi = {"get": api_doc.QUOTA_SHOW}

    defaults = False

    def get(self, request: Request, project_id: str, target: str) -> Response:
        services.project_scope(self.caller, project_id)
        validation.reject_nul(target)
        usage = validation.query_flag(request.query_params.get("usage"), "usage")
        quotas = services.quota_set(self.caller, project_id, target, defaults=self.defaults, usage=usage)
        return Response({"quota_set": doc.quota_set(target, quotas.limits, quotas.usage)})


class VolumeVersions(PublicView):
    """GET /volume: the version list (300 Multiple Choices, as Cinder answers)."""

    openapi = {"get": versions_doc.VERSION_CHOICES}

    def get(self, request: Request) -> Response:
        return Response({"versions": [doc.version_document(base_url(request))]}, status=300)


class VolumeV3(PublicView):
    """GET /volume/v3: the same list, 200."""

    openapi = {"get": versions_doc.VERSION_LIST}

    def get(self, request: Request) -> Response:
        return Response({"versions": [doc.version_document(base_url(request))]})
