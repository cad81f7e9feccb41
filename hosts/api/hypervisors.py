"""os-hypervisors (admin only, enforced by hosts.services.hypervisors): list, detail
(limit/marker paging from 2.33), show; from 2.53 ?with_servers and ?hypervisor_hostname_pattern
(and no other query parameter), before 2.53 the hostname-pattern `/{pattern}/servers` and
`/{pattern}/search`; `/statistics` and `/{id}/uptime` until 2.87."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from core import microversions as mv
from core.exceptions import BadRequest, NotFound
from core.microversions import Microversion
from core.params import optional_bool
from hosts.services import hypervisors
from identity.catalog import base_url

from . import names
from . import openapi as doc
from .base import HostsView
from .ids import hypervisor_key, hypervisor_marker, int_id
from .representation import hypervisor_brief, hypervisor_detail, hypervisor_id, hypervisor_uptime

BAD_QUERY = "Invalid input for query parameters {name}. Value: {value}."
LIST_QUERY = ("limit", "marker", "hypervisor_hostname_pattern", "with_servers")


def with_servers(request: Request, version: Microversion) -> bool:
    """From 2.53, the `with_servers` query parameter (a strict boolean word; absent: False)."""
    if version < mv.UUID_IDS:
        return False
    return optional_bool(request.query_params.get("with_servers"), "with_servers", BAD_QUERY) or False


def hostname_pattern(request: Request, version: Microversion) -> str | None:
    """From 2.53, `hypervisor_hostname_pattern` (a host name's characters)."""
    pattern = request.query_params.get("hypervisor_hostname_pattern")
    if pattern is None or version < mv.UUID_IDS:
        return None
    if not names.HOST_RE.fullmatch(pattern):
        raise BadRequest(BAD_QUERY.format(name="hypervisor_hostname_pattern", value=pattern))
    return pattern


def page_of(request: Request, version: Microversion) -> hypervisors.Page | None:
    """From 2.33, `limit` and `marker` (an id: integer, UUID from 2.53; unknown: 400)."""
    params = request.query_params
    if version < mv.HYPERVISOR_PAGING:
        return None
    marker, limit = params.get("marker"), params.get("limit")
    key = hypervisor_marker(marker, version) if marker is not None else None
    size = int_id(limit) if limit is not None else None
    if limit is not None and size is None:
        raise BadRequest(BAD_QUERY.format(name="limit", value=limit))
    return hypervisors.Page(marker=key, limit=size)


def links(
    request: Request, version: Microversion, rows: list[hypervisors.Hypervisor], page: hypervisors.Page | None
) -> dict[str, Any]:
    """`hypervisors_links` (next) when a full page was asked for and returned."""
    if page is None or page.limit is None or not rows or len(rows) != page.limit:
        return {}
    query = request.query_params.copy()
    query["marker"] = str(hypervisor_id(rows[-1].node, version))
    return {"hypervisors_links": [{"rel": "next", "href": f"{base_url(request)}{request.path}?{query.urlencode()}"}]}


class HypervisorsView(HostsView):
    """GET /os-hypervisors (and, `detail`, /os-hypervisors/detail)."""

    openapi = {"get": doc.HYPERVISOR_LIST}

    detail = False

    def get(self, request: Request) -> Response:
        version = self.api_version
        self.strict_query(mv.UUID_IDS, LIST_QUERY)
        pattern = hostname_pattern(request, version)
        page = page_of(request, version)
        rows = hypervisors.list_hypervisors(
            self.caller,
            detail=self.detail,
            hostname_pattern=pattern,
            page=page,
            with_servers=with_servers(request, version),
            with_workload=self.detail and version < mv.HYPERVISOR_STATISTICS_REMOVED,
        )
        render = hypervisor_detail if self.detail else hypervisor_brief
        more = links(request, version, rows, page) if pattern is None else {}
        return Response({"hypervisors": [render(row, version) for row in rows], **more})


class HypervisorView(HostsView):
    """GET /os-hypervisors/{id}: UUID from 2.53 (malformed: 400), integer below (else 404)."""

    openapi = {"get": doc.HYPERVISOR_SHOW}

    def get(self, request: Request, hypervisor_id: str) -> Response:
        version = self.api_version
        self.strict_query(mv.UUID_IDS, ("with_servers",))
        found = hypervisors.show_hypervisor(
            self.caller,
            hypervisor_key(hypervisor_id, version),
            with_servers=with_servers(request, version),
            with_workload=version < mv.HYPERVISOR_STATISTICS_REMOVED,
        )
        return Response({"hypervisor": hypervisor_detail(found, version)})


class HypervisorUptimeView(HostsView):
    """GET /os-hypervisors/{id}/uptime (removed in 2.88, where the detail shows `uptime`)."""

    openapi = {"get": doc.HYPERVISOR_UPTIME}

    def get(self, request: Request, hypervisor_id: str) -> Response:
        version = self.api_version
        if version >= mv.HYPERVISOR_STATISTICS_REMOVED:
            raise NotFound("The hypervisor uptime API was removed in microversion 2.88.")
        found = hypervisors.uptime(self.caller, hypervisor_key(hypervisor_id, version))
        return Response({"hypervisor": hypervisor_uptime(found, version)})


class HypervisorStatisticsView(HostsView):
    """GET /os-hypervisors/statistics (removed in 2.88): totals over every hypervisor."""

    openapi = {"get": doc.HYPERVISOR_STATISTICS}

    def get(self, request: Request) -> Response:
        if self.api_version >= mv.HYPERVISOR_STATISTICS_REMOVED:
            raise NotFound("The hypervisor statistics API was removed in microversion 2.88.")
        return Response({"hypervisor_statistics": asdict(hypervisors.statistics(self.caller))})


class HypervisorPatternView(HostsView):
    """GET /os-hypervisors/{pattern}/search and /{pattern}/servers (removed in 2.53): the
    hypervisors whose hostname contains the pattern (404 if none)."""

    openapi = {"get": doc.HYPERVISOR_SEARCH}

    servers = False

    def get(self, request: Request, pattern: str) -> Response:
        version = self.api_version
        if version >= mv.UUID_IDS:
            raise NotFound("This API was removed in microversion 2.53: use hypervisor_hostname_pattern.")
        rows = hypervisors.search_hypervisors(self.caller, pattern, with_servers=self.servers)
        return Response({"hypervisors": [hypervisor_brief(row, version) for row in rows]})
