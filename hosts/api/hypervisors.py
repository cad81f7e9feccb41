"""os-hypervisors (admin only): list, detail (limit/marker paging from 2.33), show,
?with_servers, and before 2.53 the
hostname-pattern `/{pattern}/servers` and `/{pattern}/search`; `/statistics` until 2.87.
A listing costs a fixed number of queries whatever the number of hypervisors."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, QuerySet
from rest_framework import exceptions
from rest_framework.response import Response

from core.exceptions import NotFound
from core.ids import is_uuid
from core.views import ComputeView
from hosts.models import ComputeNode
from identity.authentication import IsAdmin
from identity.catalog import base_url
from servers.models import Server

from .representation import hypervisor_brief, hypervisor_detail, hypervisor_id, int_id

TRUE, FALSE = ("true", "1", "yes", "on", "t", "y"), ("false", "0", "no", "off", "f", "n")


def with_servers(request) -> bool:
    value = request.query_params.get("with_servers")
    if value is None:
        return False
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise exceptions.ValidationError(f"Invalid input for query parameters with_servers. Value: {value}.")


def nodes(request) -> QuerySet:
    rows = ComputeNode.objects.select_related("service").order_by("id")
    pattern = request.query_params.get("hypervisor_hostname_pattern")
    if pattern and request.api_version >= (2, 53):
        rows = rows.filter(hypervisor_hostname__icontains=pattern)
    return rows


def paged(request, rows: QuerySet) -> tuple[list[ComputeNode], dict]:
    """From 2.33, `limit` and `marker` (an id: integer, UUID from 2.53; unknown: 400). Returns
    the page and the extra body keys: `hypervisors_links` when a full page was asked for."""
    params, version = request.query_params, request.api_version
    if version < (2, 33):
        return list(rows), {}
    marker = params.get("marker")
    if marker is not None:
        if version >= (2, 53):
            anchor = ComputeNode.objects.filter(uuid=marker).first() if is_uuid(marker) else None
        else:
            pk = int_id(marker)
            anchor = ComputeNode.objects.filter(pk=pk).first() if pk is not None else None
        if anchor is None:
            raise exceptions.ValidationError(f"marker [{marker}] not found")
        rows = rows.filter(pk__gt=anchor.pk)
    limit = params.get("limit")
    if limit is None:
        return list(rows[: settings.API_MAX_LIMIT]), {}
    if int_id(limit) is None:
        raise exceptions.ValidationError(f"Invalid input for query parameters limit. Value: {limit}.")
    page = list(rows[: min(int(limit), settings.API_MAX_LIMIT)])
    extra = {}
    if page and len(page) == int(limit):
        query = params.copy()
        query["marker"] = str(hypervisor_id(page[-1], version))
        extra["hypervisors_links"] = [{"rel": "next", "href": f"{base_url(request)}{request.path}?{query.urlencode()}"}]
    return page, extra


def servers_by_host(hosts: list[str]) -> dict[str, list[dict]]:
    """The live servers on each host as {uuid, name} (one query)."""
    found: dict[str, list[dict]] = {}
    rows = Server.objects.filter(host__in=hosts, deleted=False).order_by("created_at", "id")
    for host, server_uuid, name in rows.values_list("host", "uuid", "name"):
        found.setdefault(host, []).append({"uuid": str(server_uuid), "name": name})
    return found


def workloads(hosts: list[str]) -> dict[str, int]:
    """How many servers with a task running each host has (one query)."""
    rows = (
        Server.objects.filter(host__in=hosts, deleted=False, task_state__isnull=False)
        .values_list("host")
        .annotate(count=Count("id"))
        .order_by()
    )
    return dict(rows)


def render(request, rows: list[ComputeNode], detail: bool) -> list[dict]:
    version = request.api_version
    hosts = [node.host for node in rows]
    busy = workloads(hosts) if detail and version < (2, 88) else {}
    bodies = [
        hypervisor_detail(node, version, busy.get(node.host, 0)) if detail else hypervisor_brief(node, version)
        for node in rows
    ]
    if with_servers(request):
        servers = servers_by_host(hosts)
        for node, body in zip(rows, bodies, strict=True):
            body["servers"] = servers.get(node.host, [])
    return bodies


class HypervisorsView(ComputeView):
    """GET /os-hypervisors."""

    permission_classes = [IsAdmin]

    def get(self, request):
        rows, extra = paged(request, nodes(request))
        return Response({"hypervisors": render(request, rows, detail=False), **extra})


class HypervisorsDetailView(ComputeView):
    """GET /os-hypervisors/detail."""

    permission_classes = [IsAdmin]

    def get(self, request):
        rows, extra = paged(request, nodes(request))
        return Response({"hypervisors": render(request, rows, detail=True), **extra})


class HypervisorView(ComputeView):
    """GET /os-hypervisors/{id}: UUID from 2.53 (malformed: 400), integer below (else 404)."""

    permission_classes = [IsAdmin]

    def get(self, request, hypervisor_id: str):
        rows = ComputeNode.objects.select_related("service")
        if request.api_version >= (2, 53):
            if not is_uuid(hypervisor_id):
                raise exceptions.ValidationError(f"Invalid uuid {hypervisor_id}")
            node = rows.filter(uuid=hypervisor_id).first()
        else:
            pk = int_id(hypervisor_id)
            node = rows.filter(pk=pk).first() if pk is not None else None
        if node is None:
            raise NotFound(f"Hypervisor with ID {hypervisor_id} could not be found.")
        return Response({"hypervisor": render(request, [node], detail=True)[0]})


class HypervisorStatisticsView(ComputeView):
    """GET /os-hypervisors/statistics (removed in 2.88): totals over every hypervisor."""

    permission_classes = [IsAdmin]

    def get(self, request):
        if request.api_version >= (2, 88):
            raise NotFound("The hypervisor statistics API was removed in microversion 2.88.")
        totals = dict.fromkeys(
            (
                "count",
                "vcpus",
                "memory_mb",
                "local_gb",
                "vcpus_used",
                "memory_mb_used",
                "local_gb_used",
                "free_ram_mb",
                "free_disk_gb",
                "current_workload",
                "running_vms",
                "disk_available_least",
            ),
            0,
        )
        rows = list(ComputeNode.objects.select_related("service"))
        busy = workloads([node.host for node in rows])
        for node in rows:
            body = hypervisor_detail(node, (2, 1), busy.get(node.host, 0))
            totals["count"] += 1
            for key in totals:
                if key != "count":
                    totals[key] += body[key]
        return Response({"hypervisor_statistics": totals})


class HypervisorPatternView(ComputeView):
    """GET /os-hypervisors/{pattern}/search and /{pattern}/servers (removed in 2.53): the
    hypervisors whose hostname contains the pattern (404 if none)."""

    permission_classes = [IsAdmin]
    servers = False

    def get(self, request, pattern: str):
        if request.api_version >= (2, 53):
            raise NotFound("This API was removed in microversion 2.53: use hypervisor_hostname_pattern.")
        rows = (
            []
            if "\x00" in pattern
            else list(
                ComputeNode.objects.select_related("service")
                .filter(hypervisor_hostname__icontains=pattern)
                .order_by("id")
            )
        )
        if not rows:
            raise NotFound(f"No hypervisor matching '{pattern}' could be found.")
        bodies = [hypervisor_brief(node, request.api_version) for node in rows]
        if self.servers:
            found = servers_by_host([node.host for node in rows])
            for node, body in zip(rows, bodies, strict=True):
                body["servers"] = found.get(node.host, [])
        return Response({"hypervisors": bodies})
