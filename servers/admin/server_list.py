"""The server changelist: its columns (state badges, placement, flavor, project, IPs, age),
its filters (status over servers.states' status map, project by name; every filter's choices
come from a short table or a fixed list, never a scan of the servers) and the search (each
way of it on an index).

A page costs a constant number of queries, whatever its length: the servers, then one query
for the page's ports (their fixed IPs) and one for its projects' names
(:class:`ServerChangeList`)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from datetime import datetime
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from core.ids import parse_uuid
from hosts.models import ComputeNode
from identity.models import Project
from networks.models import Port

from ..models import Server
from ..states import ALL_STATUSES, DEFAULT_KEY, STATUS_MAP, TaskState
from .badges import power_state_badge, status_badge, task_state_badge, vm_state_badge

#: Attributes the changelist sets on each server of its page.
IPS_ATTRIBUTE = "_admin_ips"
PROJECT_NAME_ATTRIBUTE = "_admin_project_name"
#: What may be (part of) an IPv4 or IPv6 address: hex digits, dots and colons, with at least
#: one dot or colon (so that a name such as "42" is not taken for an address).
ADDRESS_LIKE = re.compile(r"^(?=.*[.:])[0-9A-Fa-f.:]+$")


# --- the page's related rows, one query each --------------------------------------------


def addresses_by_server(server_uuids: Iterable[str]) -> dict[str, list[str]]:
    """The fixed IPs of the ports of each server (by uuid), in the order the ports were made."""
    found: dict[str, list[str]] = {}
    ports = Port.objects.filter(device_id__in=list(server_uuids)).order_by("created_at", "id")
    for device_id, fixed_ips in ports.values_list("device_id", "fixed_ips"):
        addresses = found.setdefault(device_id, [])
        addresses.extend(str(fixed["ip_address"]) for fixed in fixed_ips or [] if fixed.get("ip_address"))
    return found


def annotate_page(servers: list[Server]) -> None:
    """Give each server of a changelist page its IPs and its project's name (two queries)."""
    addresses = addresses_by_server(str(server.uuid) for server in servers)
    names = dict(Project.objects.filter(id__in={server.project_id for server in servers}).values_list("id", "name"))
    for server in servers:
        setattr(server, IPS_ATTRIBUTE, addresses.get(str(server.uuid), []))
        setattr(server, PROJECT_NAME_ATTRIBUTE, names.get(server.project_id))


class ServerChangeList(ChangeList):
    """Django's changelist, whose page also carries its servers' IPs and project names."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        self.result_list = list(self.result_list)
        annotate_page(self.result_list)


# --- columns ------------------------------------------------------------------------------


@admin.display(description="status", ordering="vm_state")
def status_column(server: Server) -> SafeString:
    return status_badge(server)


@admin.display(description="vm_state", ordering="vm_state")
def vm_state_column(server: Server) -> SafeString:
    return vm_state_badge(server)


@admin.display(description="task_state", ordering="task_state")
def task_state_column(server: Server) -> SafeString:
    return task_state_badge(server)


@admin.display(description="power_state", ordering="power_state")
def power_state_column(server: Server) -> SafeString:
    return power_state_badge(server)


@admin.display(description="flavor")
def flavor_column(server: Server) -> SafeString:
    """The flavor's name as the server booted (or was last resized) with it, its sizes as a hint."""
    flavor = server.flavor or {}
    sizes = f"{flavor.get('vcpus', '?')} vCPU, {flavor.get('memory_mb', '?')} MB RAM, {flavor.get('root_gb', '?')} GB"
    return format_html('<span title="{}">{}</span>', sizes, flavor.get("name", ""))


@admin.display(description="project", ordering="project_id")
def project_column(server: Server) -> SafeString:
    name = getattr(server, PROJECT_NAME_ATTRIBUTE, None)
    return format_html('<span title="{}">{}</span>', server.project_id, name or server.project_id)


@admin.display(description="IPs")
def ips_column(server: Server) -> SafeString:
    addresses = getattr(server, IPS_ATTRIBUTE, None)
    if addresses is None:  # a server that came without its page (not a changelist row)
        addresses = addresses_by_server([str(server.uuid)]).get(str(server.uuid), [])
    return format_html_join(mark_safe("<br>"), '<span class="server-ip">{}</span>', ((a,) for a in addresses))


def age_text(created: datetime, now: datetime) -> str:
    """How long ago ``created`` was, in its largest whole unit: "42 s", "5 min", "3 h", "12 d"."""
    seconds = max(0, int((now - created).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


@admin.display(description="age", ordering="-created_at")
def age_column(server: Server) -> SafeString:
    return format_html(
        '<span title="{}">{}</span>', server.created_at.isoformat(), age_text(server.created_at, timezone.now())
    )


# --- filters ------------------------------------------------------------------------------


def status_condition(status: str) -> Q:
    """The servers whose derived status (servers.states.status_for) is ``status``, exactly: a
    vm_state's default status takes its servers with no task_state or one the map does not
    override; an override takes its own (vm_state, task_state) pairs."""
    parts: list[Q] = []
    for vm_state, task_map in STATUS_MAP.items():
        overrides = [task for task in task_map if task != DEFAULT_KEY]
        overridden = [task for task in overrides if task_map[task] == status]
        if overridden:
            parts.append(Q(vm_state=vm_state, task_state__in=overridden))
        if task_map[DEFAULT_KEY] == status:
            idle = Q(task_state__isnull=True) | ~Q(task_state__in=overrides) if overrides else Q()
            parts.append(Q(vm_state=vm_state) & idle)
    return reduce(or_, parts) if parts else Q(pk__in=[])


class StatusFilter(admin.SimpleListFilter):
    """The API status (ACTIVE, SHUTOFF, REBOOT, ...), derived from vm_state and task_state."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(status, status) for status in ALL_STATUSES]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Server]) -> QuerySet[Server]:
        value = self.value()
        return queryset.filter(status_condition(value)) if value else queryset


class ProjectFilter(admin.SimpleListFilter):
    """Projects by name: every project of the identity service (a short table), not the
    distinct owners of a million servers."""

    title = "project"
    parameter_name = "project"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(pid, name or pid) for pid, name in Project.objects.order_by("name", "id").values_list("id", "name")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Server]) -> QuerySet[Server]:
        value = self.value()
        return queryset.filter(project_id=value) if value else queryset


class FixedChoicesFilter(admin.AllValuesFieldListFilter):
    """Django's filter on a column's values (same parameter, ``<column>__exact``), whose
    choices come from ``fixed_choices()`` rather than a SELECT DISTINCT over every server."""

    def __init__(self, field: Any, request: HttpRequest, params: Any, model: Any, model_admin: Any, field_path: str):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.lookup_choices = self.fixed_choices()  # type: ignore[assignment]  # never runs the DISTINCT

    def fixed_choices(self) -> list[str]:
        raise NotImplementedError


class ZoneFilter(FixedChoicesFilter):
    """The availability zones of the compute hosts, and the default zone."""

    def fixed_choices(self) -> list[str]:
        zones = ComputeNode.objects.exclude(availability_zone=None).values_list("availability_zone", flat=True)
        return sorted({str(zone) for zone in zones} | {settings.DEFAULT_AVAILABILITY_ZONE})


class TaskStateFilter(FixedChoicesFilter):
    """Nova's task states."""

    def fixed_choices(self) -> list[str]:
        return sorted(TaskState.ALL)


# --- the search ---------------------------------------------------------------------------


def search(servers: QuerySet[Server], term: str) -> QuerySet[Server]:
    """The servers ``term`` finds, each way on an index: a uuid exactly; an address, or the
    beginning of one, through the ports holding it; else the beginning of the name or the
    hostname (any case; UPPER(...) prefix indexes on PostgreSQL), or exactly a project, user,
    host or node."""
    term = term.strip()
    if not term:
        return servers
    server_uuid = parse_uuid(term)
    if server_uuid is not None:
        return servers.filter(uuid=server_uuid)
    # istartswith is UPPER(name) LIKE UPPER('term%'): on PostgreSQL a range scan of the
    # UPPER(...) text_pattern_ops indexes (servers migration 0014).
    found = (
        Q(name__istartswith=term)
        | Q(hostname__istartswith=term)
        | Q(project_id=term)
        | Q(user_id=term)
        | Q(host=term)
        | Q(node=term)
    )
    holders = servers_with_address(term)
    if holders:
        found |= Q(uuid__in=holders)
    return servers.filter(found)


# --- the IP search ------------------------------------------------------------------------


def _normal(address: str) -> str:
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return address.lower()


def servers_with_address(term: str) -> list[str]:
    """The uuids of the servers whose ports hold a fixed IP ``term`` names: that address when
    ``term`` is a whole address, else every address that begins with it ("10.0.1." finds a
    subnet's). Not an address at all: none, without a query."""
    term = term.strip()
    if not ADDRESS_LIKE.match(term):
        return []
    whole = _normal(term) if _is_address(term) else None
    wanted = whole or term.lower()
    # The JSON text narrows the ports in the database; the exact rule is applied here.
    ports = Port.objects.exclude(device_id="").filter(fixed_ips__icontains=wanted)
    found: set[str] = set()
    for device_id, fixed_ips in ports.values_list("device_id", "fixed_ips"):
        for fixed in fixed_ips or []:
            address = _normal(str(fixed.get("ip_address", "")))
            if (address == whole) if whole else address.startswith(wanted):
                server_uuid = parse_uuid(device_id)
                if server_uuid:
                    found.add(str(server_uuid))
    return sorted(found)


def _is_address(term: str) -> bool:
    try:
        ipaddress.ip_address(term)
    except ValueError:
        return False
    return True
