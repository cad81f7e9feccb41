"""GET /servers and /servers/detail query parameters (nova/api/openstack/compute/schemas/
servers.py query schemas): which filters a microversion has, booleans, timestamps and the
page size. Parameters Nova does not know are ignored, as Nova ignores them."""

from __future__ import annotations

from django.conf import settings

from core import microversions as mv
from core.microversions import Microversion
from core.params import bool_word, optional_bool, optional_int
from servers.services.listing import ServerQuery

from .common import time_param

BAD_BOOLEAN = "Invalid input for query parameters {name}. Value: {value}. Expected a boolean."
BAD_TIME = "Invalid input for query parameters {name}. Value: {value}. '{value}' is not a 'date-time'"


def _tag_filters(params, version: Microversion) -> dict[str, tuple[str, ...]]:
    """tags, tags-any, not-tags and not-tags-any (from 2.26): comma-separated lists."""
    if version < mv.SERVER_TAGS:
        return {}
    return {
        name.replace("-", "_"): tuple(tag for tag in params[name].split(",") if tag)
        for name in ("tags", "tags-any", "not-tags", "not-tags-any")
        if params.get(name)
    }


def server_query(request, version: Microversion) -> ServerQuery:
    """The ServerQuery a list request asks for at ``version``.

    Filters: name, ip, ip6, description (regexes, as in Nova), status, flavor, image, uuid,
    reservation_id, key_name, locked, user_id, tags, changes-since, changes-before; operators
    also host, node, availability_zone, hostname, vm_state, task_state, power_state, deleted,
    and project_id/tenant_id with all_tenants (a member's all_tenants is 403, as Nova's policy
    answers). Paging: limit (capped at API_MAX_LIMIT), marker."""
    params = request.query_params
    all_tenants = params.get("all_tenants")
    limit = optional_int(params.get("limit"), "limit", minimum=0)
    return ServerQuery(
        limit=min(settings.API_MAX_LIMIT if limit is None else limit, settings.API_MAX_LIMIT),
        marker=params.get("marker") or None,
        # Present and not a false word (an empty value counts as true), as Nova reads it.
        all_tenants=all_tenants is not None and bool_word(all_tenants) is not False,
        project_id=params.get("project_id") or params.get("tenant_id"),
        changes_since=time_param(request, "changes-since", BAD_TIME),
        changes_before=time_param(request, "changes-before", BAD_TIME) if version >= mv.CHANGES_BEFORE else None,
        name=params.get("name"),
        statuses=tuple(params.getlist("status")),
        unknown_status_is_error=version >= mv.SERVER_STATUS_VALIDATED,
        flavor=params.get("flavor"),
        image=params.get("image"),
        uuid=params.get("uuid"),
        reservation_id=params.get("reservation_id"),
        **_tag_filters(params, version),
        key_name=params.get("key_name"),
        user_id=params.get("user_id"),
        description=params.get("description") if version >= mv.MEMBER_SERVER_FILTERS else None,
        locked=optional_bool(params.get("locked"), "locked", BAD_BOOLEAN) if version >= mv.LOCKED_REASON else None,
        ip=params.get("ip"),
        ip6=params.get("ip6"),
        sort_keys=tuple(params.getlist("sort_key")),
        sort_dirs=tuple(params.getlist("sort_dir")),
        deleted=params.get("deleted"),
        host=params.get("host"),
        node=params.get("node"),
        availability_zone=params.get("availability_zone"),
        hostname=params.get("hostname"),
        vm_states=tuple(params.getlist("vm_state")),
        task_states=tuple(params.getlist("task_state")),
        power_states=tuple(params.getlist("power_state")),
    )
