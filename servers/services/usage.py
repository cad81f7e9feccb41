"""Simple tenant usage (nova/api/openstack/compute/simple_tenant_usage.py): the hours each
server of a project ran within a period, and the vCPU, memory and disk hours that makes.
A server counts when it was launched before the period's end and not terminated before its
start (deleted servers keep their rows, so they count too). Rows are ordered by (project,
server uuid) and paged on the server uuid, as Nova does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from core import policy
from core.exceptions import BadRequest
from core.ids import parse_uuid
from core.principal import Caller

from ..models import Server

TIME_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%d %H:%M:%S.%f")


@dataclass(frozen=True)
class UsageQuery:
    """A usage report's period (``None``: now), detail, and page of servers."""

    start: str | None = None
    end: str | None = None
    detailed: bool = True
    limit: int | None = None
    marker: str | None = None


@dataclass
class UsageReport:
    """Each project's summary, and every server usage that went into them (for paging)."""

    tenant_usages: list[dict[str, Any]]
    server_usages: list[dict[str, Any]]


def parse_time(text: str | None) -> datetime:
    """A period bound as Nova reads it (three formats, UTC when naive); empty means now."""
    if not text:
        return timezone.now()
    for fmt in TIME_FORMATS:
        try:
            value = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return value.replace(tzinfo=UTC) if value.utcoffset() is None else value
    raise BadRequest("Invalid StrTime: Datetime is in invalid format")


def _naive(value: datetime) -> str:
    """Nova's wire format for these times: naive UTC with microseconds."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def _period(query: UsageQuery) -> tuple[datetime, datetime]:
    start, end = parse_time(query.start), parse_time(query.end)
    if not start < end:
        raise BadRequest("Invalid start time. The start time cannot occur after the end time.")
    return start, min(end, timezone.now())


def _servers(start: datetime, end: datetime, project_id: str | None, query: UsageQuery) -> QuerySet[Server]:
    servers = Server.objects.filter(Q(terminated_at__isnull=True) | Q(terminated_at__gt=start), launched_at__lt=end)
    if project_id is not None:
        servers = servers.filter(project_id=project_id)
    if query.marker is not None:
        marker_uuid = parse_uuid(query.marker)
        marker = Server.objects.filter(uuid=marker_uuid).first() if marker_uuid else None
        if marker is None:
            raise BadRequest(f"Marker {query.marker} could not be found.")
        servers = servers.filter(
            Q(project_id__gt=marker.project_id) | Q(project_id=marker.project_id, uuid__gt=marker.uuid)
        )
    servers = servers.order_by("project_id", "uuid")
    return servers[: query.limit] if query.limit is not None else servers


def _hours(server: Server, start: datetime, end: datetime) -> float:
    launched = server.launched_at
    if launched is None or launched > end or (server.terminated_at and server.terminated_at < start):
        return 0
    stop = min(end, server.terminated_at) if server.terminated_at else end
    return (stop - max(launched, start)).total_seconds() / 3600.0


def _server_usage(server: Server, start: datetime, end: datetime) -> dict[str, Any]:
    flavor = server.flavor or {}
    launched = server.launched_at or start
    ended = server.terminated_at
    return {
        "hours": _hours(server, start, end),
        "flavor": flavor.get("name", ""),
        "instance_id": str(server.uuid),
        "name": server.name,
        "tenant_id": server.project_id,
        "memory_mb": flavor.get("memory_mb", 0),
        "local_gb": flavor.get("root_gb", 0) + flavor.get("ephemeral_gb", 0),
        "vcpus": flavor.get("vcpus", 0),
        "started_at": _naive(launched),
        "ended_at": _naive(ended) if ended else None,
        "state": "terminated" if ended else server.vm_state,
        "uptime": int(((ended or timezone.now()) - launched).total_seconds()),
    }


def _report(start: datetime, end: datetime, servers: QuerySet[Server], detailed: bool) -> UsageReport:
    summaries: dict[str, dict[str, Any]] = {}
    usages = []
    for server in servers:
        usage = _server_usage(server, start, end)
        summary = summaries.get(server.project_id)
        if summary is None:
            summary = summaries[server.project_id] = {
                "tenant_id": server.project_id,
                **({"server_usages": []} if detailed else {}),
                "total_local_gb_usage": 0,
                "total_vcpus_usage": 0,
                "total_memory_mb_usage": 0,
                "total_hours": 0,
                "start": _naive(start),
                "stop": _naive(end),
            }
        summary["total_local_gb_usage"] += usage["local_gb"] * usage["hours"]
        summary["total_vcpus_usage"] += usage["vcpus"] * usage["hours"]
        summary["total_memory_mb_usage"] += usage["memory_mb"] * usage["hours"]
        summary["total_hours"] += usage["hours"]
        usages.append(usage)
        if detailed:
            summary["server_usages"].append(usage)
    return UsageReport(list(summaries.values()), usages)


def list_usage(caller: Caller, query: UsageQuery) -> UsageReport:
    """GET /os-simple-tenant-usage: every project's usage (admins)."""
    policy.enforce(caller, policy.USAGE_LIST)
    start, end = _period(query)
    return _report(start, end, _servers(start, end, None, query), query.detailed)


def project_usage(caller: Caller, project_id: str, query: UsageQuery) -> UsageReport:
    """GET /os-simple-tenant-usage/{project}: one project's usage, detailed ({} when none)."""
    policy.enforce(caller, policy.USAGE_SHOW, project_id=project_id)
    start, end = _period(query)
    return _report(start, end, _servers(start, end, project_id, query), True)
