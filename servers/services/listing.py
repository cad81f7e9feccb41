"""Listing servers (GET /servers, /servers/detail): Nova's filters, sort keys and paging as
one query (nova/api/openstack/compute/servers.py, nova/compute/api.py get_all). Who may
widen the list to every project, and filter or sort on operator fields, is core.policy."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple, TypeVar

from django.db.models import Count, Model, QuerySet

from core import policy
from core.exceptions import BadRequest, Forbidden
from core.expressions import UuidText
from core.ids import is_uuid, parse_uuid
from core.paging import SortKey, keyset_page, marker_values, with_tie_breakers
from core.params import parse_bool
from core.principal import Caller
from networks.models import Port

from ..models import Server, ServerTag
from ..states import states_for_status
from .server_rows import ServerBrief, ServerRow

_Row = TypeVar("_Row", bound=Model)

# Nova's sort keys -> columns. Keys Nova accepts but ignores (no such column here) sort nothing.
SORT_KEYS = {
    "access_ip_v4": "access_ip_v4",
    "access_ip_v6": "access_ip_v6",
    "availability_zone": "availability_zone",
    "config_drive": "config_drive",
    "created_at": "created_at",
    "display_description": "description",
    "display_name": "name",
    "host": "host",
    "hostname": "hostname",
    "image_ref": "image_ref",
    "key_name": "key_name",
    "launch_index": "launch_index",
    "launched_at": "launched_at",
    "locked_by": "locked_by",
    "node": "node",
    "power_state": "power_state",
    "project_id": "project_id",
    "task_state": "task_state",
    "terminated_at": "terminated_at",
    "updated_at": "updated_at",
    "user_id": "user_id",
    "uuid": "uuid",
    "vm_state": "vm_state",
}
IGNORED_SORT_KEYS = {
    "auto_disk_config",
    "instance_type_id",
    "kernel_id",
    "progress",
    "ramdisk_id",
    "root_device_name",
    "vm_mode",
    "architecture",
    "cell_name",
    "cleaned",
    "default_ephemeral_device",
    "default_swap_device",
    "deleted",
    "deleted_at",
    "disable_terminate",
    "ephemeral_gb",
    "ephemeral_key_uuid",
    "id",
    "key_data",
    "launched_on",
    "locked",
    "memory_mb",
    "os_type",
    "reservation_id",
    "root_gb",
    "shutdown_terminate",
    "user_data",
    "vcpus",
}
ADMIN_SORT_KEYS = {"host", "node"}


@dataclass(frozen=True)
class ServerQuery:
    """The filters, sort keys and page of a server list, as the API read them from the query
    (it decides which a microversion has). The operator filters (``deleted`` to
    ``power_states``) are kept as the client wrote them: they apply, and are parsed, only for
    callers policy os_compute_api:servers:allow_all_filters lets use them; others are ignored,
    as Nova ignores them."""

    limit: int
    marker: str | None = None
    all_tenants: bool = False
    project_id: str | None = None
    changes_since: datetime | None = None
    changes_before: datetime | None = None
    name: str | None = None
    statuses: tuple[str, ...] = ()
    unknown_status_is_error: bool = False
    flavor: str | None = None
    image: str | None = None
    uuid: str | None = None
    reservation_id: str | None = None
    tags: tuple[str, ...] = ()
    tags_any: tuple[str, ...] = ()
    not_tags: tuple[str, ...] = ()
    not_tags_any: tuple[str, ...] = ()
    key_name: str | None = None
    user_id: str | None = None
    description: str | None = None
    locked: bool | None = None
    ip: str | None = None
    ip6: str | None = None
    sort_keys: tuple[str, ...] = ()
    sort_dirs: tuple[str, ...] = ()
    deleted: str | None = None
    host: str | None = None
    node: str | None = None
    availability_zone: str | None = None
    hostname: str | None = None
    vm_states: tuple[str, ...] = ()
    task_states: tuple[str, ...] = ()
    power_states: tuple[str, ...] = ()


class ServerPage(NamedTuple):
    """A page of servers, and the marker of the next page when another one follows."""

    servers: list[ServerRow]
    next_marker: str | None


class BriefPage(NamedTuple):
    """A page of the brief list, and the marker of the next page when another one follows."""

    servers: list[ServerBrief]
    next_marker: str | None


def list_servers(caller: Caller, query: ServerQuery) -> ServerPage:
    """One page of the servers ``query`` selects, in its order, with the columns the detailed
    documents show (server_rows.ServerRow). A member's ``all_tenants`` is refused
    (os_compute_api:servers:index:get_all_tenants). The page after a marker is a keyset query
    (core.paging), so its cost does not grow with the marker's depth."""
    rows, next_marker = _page(caller, query, ServerRow._fields)
    return ServerPage([ServerRow._make(row) for row in rows], next_marker)


def list_server_briefs(caller: Caller, query: ServerQuery) -> BriefPage:
    """``list_servers`` for the brief list: only the id, uuid and name of each server."""
    rows, next_marker = _page(caller, query, ServerBrief._fields)
    return BriefPage([ServerBrief._make(row) for row in rows], next_marker)


def _page(caller: Caller, query: ServerQuery, columns: tuple[str, ...]) -> tuple[list[tuple[Any, ...]], str | None]:
    """The page's rows as tuples of ``columns`` (the first two: pk and uuid, as text), and the
    next page's marker."""
    keys = _ordering(caller, query)
    servers = _filtered(caller, query)
    marker = None
    if query.marker:
        marker_uuid = parse_uuid(query.marker)
        marker = marker_values(servers, keys, uuid=marker_uuid) if marker_uuid else None
        if marker is None:
            raise BadRequest(f"marker [{query.marker}] not found")
    # The uuid is read as text: the documents want text, and psycopg2's uuid.UUID for each
    # row, turned back into text four times per document, was a tenth of a detailed page.
    selected = [UuidText("uuid") if column == "uuid" else column for column in columns]
    rows, more = keyset_page(servers.values_list(*selected), keys, limit=query.limit, marker=marker)
    return rows, rows[-1][1] if more and rows else None


def _regex(value: str) -> str:
    """A name/ip/description filter is a regular expression in Nova; a pattern that does not
    compile is matched literally rather than answered with a database error."""
    try:
        re.compile(value)
    except re.error:
        return re.escape(value)
    return value


def _filtered(caller: Caller, query: ServerQuery) -> QuerySet[Server]:
    servers = Server.objects.all()
    if query.all_tenants:
        policy.enforce(caller, policy.SERVERS_ALL_TENANTS)
        if query.project_id:
            servers = servers.filter(project_id=query.project_id)
    else:
        servers = servers.filter(project_id=caller.project_id)
    since, before = query.changes_since, query.changes_before
    if since and before and since > before:
        raise BadRequest("The value of changes-since must be less than or equal to changes-before.")
    operator = policy.allows(caller, policy.SERVERS_ADMIN_FILTERS)
    deleted = None
    if operator and query.deleted is not None:
        deleted = parse_bool(
            query.deleted,
            "deleted",
            message="Invalid input for query parameters {name}. Value: {value}. Expected a boolean.",
        )
    if deleted is not None:
        servers = servers.filter(deleted=deleted)
    elif not (since or before):
        servers = servers.filter(deleted=False)  # changes-since also lists what was deleted since
    servers = changed_between(servers, since, before)
    if query.name:
        servers = servers.filter(name__regex=_regex(query.name))
    if query.statuses:
        wanted = states_for_status(query.statuses)
        if not wanted.vm_states:
            if query.unknown_status_is_error:
                raise BadRequest("Invalid status value")
            return Server.objects.none()
        servers = servers.filter(vm_state__in=wanted.vm_states)
        if wanted.task_states is not None:
            servers = servers.filter(task_state__in=wanted.task_states)
    if query.flavor:
        servers = servers.filter(flavor__flavorid=query.flavor)
    if query.image:
        servers = servers.filter(image_ref=query.image)
    if query.uuid:
        server_uuid = parse_uuid(query.uuid)
        servers = servers.filter(uuid=server_uuid) if server_uuid else Server.objects.none()
    if query.reservation_id:
        servers = servers.filter(reservation_id=query.reservation_id)
    servers = _tag_filters(servers, query)
    if query.key_name:
        servers = servers.filter(key_name=query.key_name)
    if query.user_id:
        servers = servers.filter(user_id=query.user_id)
    if query.description:
        servers = servers.filter(description__regex=_regex(query.description))
    if query.locked is not None:
        servers = servers.filter(locked=query.locked)
    if operator:
        servers = _operator_filters(servers, query)
    for pattern in (query.ip, query.ip6):
        if pattern:
            servers = servers.filter(uuid__in=_with_address(pattern))
    return servers


def _tag_filters(servers: QuerySet[Server], query: ServerQuery) -> QuerySet[Server]:
    """Nova's tag filters: tags (every one), tags-any (one at least), not-tags (not every
    one), not-tags-any (none of them)."""
    for tag in query.tags:
        servers = servers.filter(pk__in=ServerTag.objects.filter(tag=tag).values("server_id"))
    if query.tags_any:
        servers = servers.filter(pk__in=ServerTag.objects.filter(tag__in=query.tags_any).values("server_id"))
    if query.not_tags:
        having_all = (
            ServerTag.objects.filter(tag__in=query.not_tags)
            .values("server_id")
            .annotate(found=Count("tag", distinct=True))
            .filter(found=len(set(query.not_tags)))
            .values("server_id")
        )
        servers = servers.exclude(pk__in=having_all)
    if query.not_tags_any:
        servers = servers.exclude(pk__in=ServerTag.objects.filter(tag__in=query.not_tags_any).values("server_id"))
    return servers


def _operator_filters(servers: QuerySet[Server], query: ServerQuery) -> QuerySet[Server]:
    """host, node, availability_zone, vm_state, task_state, power_state and hostname."""
    for column in ("host", "node", "availability_zone"):
        value = getattr(query, column)
        if value:
            servers = servers.filter(**{column: value})
    if query.vm_states:
        servers = servers.filter(vm_state__in=query.vm_states)
    if query.task_states:
        servers = servers.filter(task_state__in=query.task_states)
    if query.power_states:
        try:
            servers = servers.filter(power_state__in=[int(value) for value in query.power_states])
        except ValueError:
            raise BadRequest("Invalid input for query parameters power_state.") from None
    if query.hostname:
        servers = servers.filter(hostname__regex=_regex(query.hostname))
    return servers


def _with_address(text: str) -> list[str]:
    """Uuids of the servers holding a fixed IP that contains ``text``: Nova asks Neutron for
    the ports with ``fixed_ips=ip_address_substr=<ip>`` (nova.compute.api
    ``_ip_filter_using_neutron``, for ip and ip6 alike) rather than matching a regular
    expression. The ports' fixed IPs are narrowed in SQL first (``fixed_ips__icontains``,
    which the trigram index of networks' migration 0006 serves on PostgreSQL), and the exact
    rule, a substring of an address, is applied to those few."""
    found = set()
    ports = Port.objects.exclude(device_id="").filter(fixed_ips__icontains=text)
    for device_id, fixed_ips in ports.values_list("device_id", "fixed_ips"):
        if any(text in str(fixed.get("ip_address", "")) for fixed in fixed_ips or []):
            found.add(device_id)
    return [item for item in found if is_uuid(item)]


def _ordering(caller: Caller, query: ServerQuery) -> tuple[SortKey, ...]:
    """sort_key/sort_dir pairs, by Nova's rules (nova.db.utils.process_sort_params): a dir
    only with keys; keys Nova ignores are dropped with their dir; a key without a dir, and
    the created_at and id tie-breakers, take the first dir (desc when none is given). So
    every order is one direction throughout unless the client mixes them, and one index per
    sort key (SERVER_SORT_INDEXES) serves it both ways. Sorting by host or node is for
    operators (os_compute_api:servers:allow_all_filters), in Nova's words."""
    keys, dirs = query.sort_keys, query.sort_dirs
    if dirs and not keys:
        raise BadRequest("sort_dir is only valid with sort_key")
    if len(dirs) > len(keys):
        raise BadRequest("The number of sort_keys and sort_dirs must be the same")
    for direction in dirs:
        if direction not in ("asc", "desc"):
            raise BadRequest(f"Invalid input for query parameters sort_dir. Value: {direction}.")
    kept: list[tuple[str, str | None]] = []
    for index, key in enumerate(keys):
        if key in IGNORED_SORT_KEYS:
            continue
        if key not in SORT_KEYS:
            raise BadRequest(f"Invalid input for query parameters sort_key. Value: {key}.")
        if key in ADMIN_SORT_KEYS and not policy.allows(caller, policy.SERVERS_ADMIN_FILTERS):
            raise Forbidden(f"Only administrators can sort servers by {key}")
        kept.append((SORT_KEYS[key], dirs[index] if index < len(dirs) else None))
    first = next((direction for _, direction in kept if direction), "desc")
    requested = [SortKey(column, (direction or first) == "desc") for column, direction in kept]
    return with_tie_breakers(requested, descending=first == "desc")


def changed_between(rows: QuerySet[_Row], since: datetime | None, before: datetime | None) -> QuerySet[_Row]:
    """Rows whose updated_at is within [since, before], compared to the whole second as Nova
    (whose database keeps whole seconds) compares: a row updated at 12:00:00.7 is "changed
    before 12:00:00" and "since 12:00:00", so a client passing back a time it was shown (which
    has no fraction) never loses the rows of that second."""
    if since is not None:
        rows = rows.filter(updated_at__gte=since.replace(microsecond=0))
    if before is not None:
        rows = rows.filter(updated_at__lt=before.replace(microsecond=0) + timedelta(seconds=1))
    return rows
