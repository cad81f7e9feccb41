"""os-migrations: every migration of the cloud, filtered and paged, for operators (policy
os_compute_api:os-migrations:index; nova/api/openstack/compute/migrations.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from core import policy
from core.exceptions import BadRequest
from core.ids import parse_uuid
from core.paging import NEWEST_FIRST, keyset_page, marker_values
from core.principal import Caller

from ..models import Flavor, Migration


@dataclass(frozen=True)
class MigrationQuery:
    """The filters and paging of GET /os-migrations (the API decides which a version has).
    ``limit`` None means no paging (before 2.59)."""

    host: str | None = None
    status: str | None = None
    migration_type: str | None = None
    source_compute: str | None = None
    instance_uuid: str | None = None
    user_id: str | None = None
    project_id: str | None = None
    changes_since: datetime | None = None
    changes_before: datetime | None = None
    marker: str | None = None
    limit: int | None = None


def list_migrations(caller: Caller, query: MigrationQuery) -> list[Migration]:
    """The migrations matching ``query``, newest first, after the ``marker`` migration.

    A project manager may list its own project's (``project_id`` naming the token's project,
    from 2.80); without that filter, or naming another project, the list is for admins
    (os_compute_api:os-migrations:index:all_projects), as Nova answers: 403, not a narrower
    list."""
    policy.enforce(caller, policy.MIGRATIONS_INDEX)
    if query.project_id != caller.project_id:
        policy.enforce(caller, policy.MIGRATIONS_INDEX_ALL_PROJECTS)
    rows = Migration.objects.select_related("server")
    if query.host:
        rows = rows.filter(Q(source_compute=query.host) | Q(dest_compute=query.host))
    for name in ("status", "migration_type", "source_compute", "user_id", "project_id"):
        value = getattr(query, name)
        if value:
            rows = rows.filter(**{name: value})
    if query.instance_uuid:
        server_uuid = parse_uuid(query.instance_uuid)
        if server_uuid is None:
            return []
        rows = rows.filter(server__uuid=server_uuid)
    if query.changes_since is not None:
        rows = rows.filter(updated_at__gte=query.changes_since)
    if query.changes_before is not None:
        rows = rows.filter(updated_at__lte=query.changes_before)
    marker = None
    if query.marker:
        marker_uuid = parse_uuid(query.marker)
        marker = marker_values(Migration.objects.all(), NEWEST_FIRST, uuid=marker_uuid) if marker_uuid else None
        if marker is None:
            raise BadRequest(f"Marker {query.marker} could not be found.")
    return keyset_page(rows, NEWEST_FIRST, limit=query.limit, marker=marker)[0]


def shows_hosts(caller: Caller) -> bool:
    """Whether the caller sees the hosts and nodes of migrations (Nova keeps the fields but
    nulls them otherwise; os_compute_api:os-migrations:index:host)."""
    return policy.allows(caller, policy.MIGRATIONS_INDEX_HOST)


def flavor_ids(migrations: Iterable[Migration]) -> dict[str, int]:
    """The database ids of the flavors the migrations moved between, by flavorid (Nova shows
    them as old_instance_type_id and new_instance_type_id): one query."""
    wanted = {
        flavor.get("flavorid")
        for migration in migrations
        for flavor in (migration.old_flavor or {}, migration.new_flavor or {})
    }
    wanted.discard(None)
    return dict(Flavor.objects.filter(flavorid__in=wanted).values_list("flavorid", "id")) if wanted else {}
