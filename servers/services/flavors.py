"""Flavors service layer: listing rules, create/update/delete, tenant access and extra specs.

Validation follows Nova's schemas (nova/api/openstack/compute/schemas/flavor_manage.py,
flavor_access.py, flavors_extraspecs.py); every error is a core.exceptions error so the
API, the admin and management commands report the same message.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from core.exceptions import BadRequest, Conflict, Forbidden, NotFound
from core.principal import Caller
from identity.models import Project

from ..models import Flavor, FlavorAccess
from .lookup import visible_flavors

Version = tuple[int, int]

MAX_INT = 2147483647
FLAVOR_ID_RE = re.compile(r"^(?! )[a-zA-Z0-9. _-]+(?<! )$")
SPEC_KEY_RE = re.compile(r"^[a-zA-Z0-9-_:. ]{1,255}$")
TRUE_STRINGS = {"1", "t", "true", "on", "y", "yes"}
FALSE_STRINGS = {"0", "f", "false", "off", "n", "no"}
#: Nova's flavor sort keys (nova/api/openstack/compute/schemas/flavors.py), as model fields.
SORT_KEYS = {
    "created_at": "created_at",
    "description": "description",
    "disabled": "disabled",
    "ephemeral_gb": "ephemeral_gb",
    "flavorid": "flavorid",
    "id": "id",
    "is_public": "is_public",
    "memory_mb": "memory_mb",
    "name": "name",
    "root_gb": "root_gb",
    "rxtx_factor": "rxtx_factor",
    "swap": "swap",
    "vcpus": "vcpus",
}


def require_admin(caller: Caller, rule: str) -> None:
    """Admin-only policy rules answer 403 with Nova's message."""
    if not caller.is_admin:
        raise Forbidden(f"Policy doesn't allow {rule} to be performed.")


def invalid(field: str, value: object, reason: str = "") -> BadRequest:
    return BadRequest(f"Invalid input for field/attribute {field}. Value: {value}. {reason}".strip())


def parse_bool(field: str, value: object) -> bool:
    """Nova's parameter_types.boolean: JSON booleans or the usual true/false strings."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in TRUE_STRINGS | FALSE_STRINGS:
        return value.lower() in TRUE_STRINGS
    raise invalid(field, value, "Value is not a boolean")


def parse_int(field: str, value: object, minimum: int) -> int:
    """An integer (or a string of digits) in [minimum, MAX_INT]."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise invalid(field, value, "Value is not an integer")
    if isinstance(value, str):
        if not value.isdigit():
            raise invalid(field, value, "Value is not an integer")
        value = int(value)
    if not minimum <= value <= MAX_INT:
        raise invalid(field, value, f"Value must be between {minimum} and {MAX_INT}")
    return value


# --- listing --------------------------------------------------------------------------


@dataclass
class FlavorQuery:
    """The list filters and paging Nova accepts on GET /flavors[/detail]."""

    is_public: str | None = None
    min_ram: str | None = None
    min_disk: str | None = None
    sort_key: str = "flavorid"
    sort_dir: str = "asc"
    limit: int | None = None
    marker: str | None = None


def _min_filter(name: str, value: str | None) -> int | None:
    if value is None:
        return None
    if not value.isdigit():
        raise BadRequest(f"Invalid {name} filter [{value}]")
    return int(value)


def list_flavors(caller: Caller, query: FlavorQuery) -> QuerySet:
    """Nova's rule: non-admins see enabled public flavors plus private ones shared with their
    project; admins see public ones by default, `is_public=false` for private ones and the
    literal `is_public=None` for all. One query however many flavors there are."""
    flavors = visible_flavors(caller)
    if caller.is_admin:
        if query.is_public is None:
            flavors = flavors.filter(is_public=True)
        elif query.is_public.lower() != "none":
            if query.is_public.lower() not in TRUE_STRINGS | FALSE_STRINGS:
                raise BadRequest(f"Invalid is_public filter [{query.is_public}]")
            flavors = flavors.filter(is_public=query.is_public.lower() in TRUE_STRINGS)
    else:
        flavors = flavors.filter(disabled=False)
    min_ram = _min_filter("minRam", query.min_ram)
    if min_ram is not None:
        flavors = flavors.filter(memory_mb__gte=min_ram)
    min_disk = _min_filter("minDisk", query.min_disk)
    if min_disk is not None:
        flavors = flavors.filter(root_gb__gte=min_disk)
    if query.sort_key not in SORT_KEYS:
        raise BadRequest(f"Invalid sort key: {query.sort_key}")
    if query.sort_dir not in ("asc", "desc"):
        raise BadRequest(f"Invalid sort direction: {query.sort_dir}")
    field = SORT_KEYS[query.sort_key]
    descending = query.sort_dir == "desc"
    if query.marker is not None:
        anchor = flavors.filter(flavorid=query.marker).first()
        if anchor is None:
            raise BadRequest(f"marker [{query.marker}] not found")
        value = getattr(anchor, field)
        after = "lt" if descending else "gt"
        flavors = flavors.filter(Q(**{f"{field}__{after}": value}) | Q(**{field: value, f"id__{after}": anchor.id}))
    prefix = "-" if descending else ""
    flavors = flavors.order_by(f"{prefix}{field}", f"{prefix}id")
    return flavors[: query.limit] if query.limit is not None else flavors


def get_flavor(caller: Caller, flavor_id: str) -> Flavor:
    """A flavor the caller may see (admins: any), else 404."""
    flavor = visible_flavors(caller).filter(flavorid=flavor_id).first()
    if flavor is None:
        raise NotFound(f"Flavor {flavor_id} could not be found.")
    return flavor


# --- create / update / delete ---------------------------------------------------------

CREATE_KEYS = {
    "name",
    "ram",
    "vcpus",
    "disk",
    "id",
    "swap",
    "OS-FLV-EXT-DATA:ephemeral",
    "os-flavor-access:is_public",
    "rxtx_factor",
}


def _name(value: object) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= 255 or value != value.strip():
        raise invalid("name", value, "A name of 1 to 255 characters without leading or trailing spaces is required")
    return value


def _flavor_id(value: object) -> str:
    if value is None or value == "auto":
        return str(uuid.uuid4())
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or len(value) > 255 or not FLAVOR_ID_RE.match(value):
        raise invalid("id", value, "Flavor id must be null or 1 to 255 of [a-zA-Z0-9. _-]")
    return value


def _rxtx(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise invalid("rxtx_factor", value, "Value is not a number")
    try:
        number = float(value)
    except ValueError:
        raise invalid("rxtx_factor", value, "Value is not a number") from None
    if not 0 < number <= 3.40282e38:
        raise invalid("rxtx_factor", value, "Value must be greater than 0")
    return number


def _description(value: object) -> str | None:
    if value is not None and (not isinstance(value, str) or len(value) > 65535):
        raise invalid("description", value, "Description must be null or a string of at most 65535 characters")
    return value


def create_flavor(caller: Caller, body: dict, version: Version) -> Flavor:
    """POST /flavors: validate like Nova and write; 409 for a duplicate name or id."""
    require_admin(caller, "os_compute_api:os-flavor-manage:create")
    allowed = CREATE_KEYS | ({"description"} if version >= (2, 55) else set())
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise BadRequest(f"Additional properties are not allowed ({', '.join(map(repr, unknown))} was unexpected)")
    for required in ("name", "ram", "vcpus", "disk"):
        if required not in body:
            raise BadRequest(f"Invalid input for field/attribute flavor. '{required}' is a required property")
    fields = {
        "name": _name(body["name"]),
        "flavorid": _flavor_id(body.get("id")),
        "memory_mb": parse_int("ram", body["ram"], 1),
        "vcpus": parse_int("vcpus", body["vcpus"], 1),
        "root_gb": parse_int("disk", body["disk"], 0),
        "swap": parse_int("swap", body.get("swap", 0), 0),
        "ephemeral_gb": parse_int("OS-FLV-EXT-DATA:ephemeral", body.get("OS-FLV-EXT-DATA:ephemeral", 0), 0),
        "is_public": parse_bool("os-flavor-access:is_public", body.get("os-flavor-access:is_public", True)),
        "rxtx_factor": _rxtx(body.get("rxtx_factor", 1.0)),
        "description": _description(body.get("description")),
    }
    if Flavor.objects.filter(name=fields["name"]).exists():
        raise Conflict(f"Flavor with name {fields['name']} already exists.")
    if Flavor.objects.filter(flavorid=fields["flavorid"]).exists():
        raise Conflict(f"Flavor with ID {fields['flavorid']} already exists.")
    try:
        with transaction.atomic():
            return Flavor.objects.create(**fields)
    except IntegrityError:  # a concurrent create won the race
        raise Conflict(f"Flavor with name {fields['name']} or ID {fields['flavorid']} already exists.") from None


def update_description(caller: Caller, flavor_id: str, body: dict) -> Flavor:
    """PUT /flavors/{id} (≥2.55): only the description can change."""
    require_admin(caller, "os_compute_api:os-flavor-manage:update")
    if set(body) != {"description"}:
        raise BadRequest("Invalid input for field/attribute flavor. Only 'description' is allowed and it is required")
    flavor = get_flavor(caller, flavor_id)
    flavor.description = _description(body["description"])
    flavor.save(update_fields=["description"])
    return flavor


def delete_flavor(caller: Caller, flavor_id: str) -> None:
    """DELETE /flavors/{id}. Servers keep their own snapshot of the flavor."""
    require_admin(caller, "os_compute_api:os-flavor-manage:delete")
    get_flavor(caller, flavor_id).delete()


# --- tenant access --------------------------------------------------------------------


def access_list(caller: Caller, flavor_id: str) -> list[dict]:
    """GET /flavors/{id}/os-flavor-access: the projects a private flavor is shared with."""
    require_admin(caller, "os_compute_api:os-flavor-access")
    flavor = get_flavor(caller, flavor_id)
    if flavor.is_public:
        raise NotFound("Access list not available for public flavors.")
    return _access_of(flavor)


def _access_of(flavor: Flavor) -> list[dict]:
    return [
        {"flavor_id": flavor.flavorid, "tenant_id": project_id}
        for project_id in flavor.access.order_by("project_id").values_list("project_id", flat=True)
    ]


def _tenant(args: object, action: str) -> str:
    if not isinstance(args, dict) or set(args) != {"tenant"}:
        raise BadRequest(f"Invalid input for field/attribute {action}. 'tenant' is the one required property")
    tenant = args["tenant"]
    if not isinstance(tenant, str) or not 1 <= len(tenant) <= 255:
        raise invalid("tenant", tenant, "A project id is required")
    return tenant


def add_tenant_access(caller: Caller, flavor_id: str, args: object, version: Version) -> list[dict]:
    """addTenantAccess: 409 when already shared (or, ≥2.7, for a public flavor)."""
    require_admin(caller, "os_compute_api:os-flavor-access:add_tenant_access")
    tenant = _tenant(args, "addTenantAccess")
    if not Project.objects.filter(pk=tenant).exists():
        raise BadRequest(f"Project ID {tenant} is not a valid project.")
    flavor = get_flavor(caller, flavor_id)
    if version >= (2, 7) and flavor.is_public:
        raise Conflict("Can not add access to a public flavor.")
    exists = Conflict(f"Flavor access already exists for flavor {flavor.flavorid} and project {tenant} combination.")
    if flavor.access.filter(project_id=tenant).exists():
        raise exists
    try:
        with transaction.atomic():
            FlavorAccess.objects.create(flavor=flavor, project_id=tenant)
    except IntegrityError:
        raise exists from None
    return _access_of(flavor)


def remove_tenant_access(caller: Caller, flavor_id: str, args: object) -> list[dict]:
    """removeTenantAccess: 404 when the project had no access."""
    require_admin(caller, "os_compute_api:os-flavor-access:remove_tenant_access")
    tenant = _tenant(args, "removeTenantAccess")
    flavor = get_flavor(caller, flavor_id)
    deleted, _ = flavor.access.filter(project_id=tenant).delete()
    if not deleted:
        raise NotFound(f"Flavor access not found for {flavor.flavorid} / {tenant} combination.")
    return _access_of(flavor)


# --- extra specs ----------------------------------------------------------------------


def _specs(body: object) -> dict[str, str]:
    """Validate extra specs: keys ^[a-zA-Z0-9-_:. ]{1,255}$, values strings (numbers and
    booleans are stored as strings, like Nova) of at most 255 characters."""
    if not isinstance(body, dict):
        raise BadRequest("Invalid input for field/attribute extra_specs. Value must be an object")
    specs = {}
    for key, value in body.items():
        if not SPEC_KEY_RE.match(key):
            raise invalid("extra_specs", key, "Keys must match ^[a-zA-Z0-9-_:. ]{1,255}$")
        if isinstance(value, (bool, int, float)):
            value = str(value)
        if not isinstance(value, str) or len(value) > 255:
            raise invalid(key, value, "Values must be strings of at most 255 characters")
        specs[key] = value
    return specs


def extra_spec(caller: Caller, flavor_id: str, key: str) -> dict[str, str]:
    """GET /flavors/{id}/os-extra_specs/{key}."""
    flavor = get_flavor(caller, flavor_id)
    if key not in flavor.extra_specs:
        raise NotFound(f"Flavor {flavor.flavorid} has no extra specs with key {key}.")
    return {key: flavor.extra_specs[key]}


def merge_extra_specs(caller: Caller, flavor_id: str, body: object) -> dict[str, str]:
    """POST /flavors/{id}/os-extra_specs: add or overwrite keys; returns what was sent."""
    require_admin(caller, "os_compute_api:os-flavor-extra-specs:create")
    specs = _specs(body)
    with transaction.atomic():
        flavor = get_flavor(caller, flavor_id)
        flavor = Flavor.objects.select_for_update().get(pk=flavor.pk)
        flavor.extra_specs = {**flavor.extra_specs, **specs}
        flavor.save(update_fields=["extra_specs"])
    return specs


def set_extra_spec(caller: Caller, flavor_id: str, key: str, body: object) -> dict[str, str]:
    """PUT /flavors/{id}/os-extra_specs/{key} with {key: value}."""
    require_admin(caller, "os_compute_api:os-flavor-extra-specs:update")
    if not isinstance(body, dict):
        raise BadRequest("Invalid input for field/attribute extra_specs. Value must be an object")
    if len(body) > 1:
        raise BadRequest("Request body contains too many items")
    if key not in body:
        raise BadRequest("Request body and URI mismatch")
    return merge_extra_specs(caller, flavor_id, body)


def delete_extra_spec(caller: Caller, flavor_id: str, key: str) -> None:
    """DELETE /flavors/{id}/os-extra_specs/{key}."""
    require_admin(caller, "os_compute_api:os-flavor-extra-specs:delete")
    with transaction.atomic():
        flavor = get_flavor(caller, flavor_id)
        flavor = Flavor.objects.select_for_update().get(pk=flavor.pk)
        if key not in flavor.extra_specs:
            raise NotFound(f"Flavor {flavor.flavorid} has no extra specs with key {key}.")
        del flavor.extra_specs[key]
        flavor.save(update_fields=["extra_specs"])
