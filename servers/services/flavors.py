"""Flavors service layer: listing rules, create/update/delete, tenant access and extra specs.

The values follow Nova's schemas (nova/api/openstack/compute/schemas/flavor_manage.py,
flavor_access.py, flavors_extraspecs.py): the API turns JSON into typed arguments, and the
checks on the values, the policy (nova/policies/flavor_manage.py, flavor_access.py,
flavor_extra_specs.py) and the writes are here, so the API, the admin and management commands
are refused alike and report the same message.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from core import policy
from core.exceptions import BadRequest, Conflict, NotFound
from core.paging import keyset_page, marker_values, sort_keys
from core.params import bool_word
from core.principal import Caller
from identity.lookup import project_exists

from ..models import Flavor, FlavorAccess
from .lookup import visible_flavors

MAX_INT = 2147483647
MAX_FLOAT = 3.40282e38
FLAVOR_ID_RE = re.compile(r"^(?! )[a-zA-Z0-9. _-]+(?<! )$")
FLAVOR_ID_RULE = "Flavor id must be null or 1 to 255 of [a-zA-Z0-9. _-]"
SPEC_KEY_RE = re.compile(r"^[a-zA-Z0-9-_:. ]{1,255}$")
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


def invalid(field: str, value: object, reason: str = "") -> BadRequest:
    """Nova's schema error for one field."""
    return BadRequest(f"Invalid input for field/attribute {field}. Value: {value}. {reason}".strip())


# --- listing --------------------------------------------------------------------------


@dataclass
class FlavorQuery:
    """The list filters and paging Nova accepts on GET /flavors[/detail], as the client wrote
    them (`is_public` is read for admins only, as Nova reads it)."""

    name: str | None = None
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


def list_flavors(caller: Caller, query: FlavorQuery) -> list[Flavor]:
    """Nova's rule: non-admins see enabled public flavors plus private ones shared with their
    project; admins see public ones by default, `is_public=false` for private ones and the
    literal `is_public=None` for all. One query however many flavors there are."""
    flavors = visible_flavors(caller)
    if caller.is_admin:
        if query.is_public is None:
            flavors = flavors.filter(is_public=True)
        elif query.is_public.lower() != "none":
            is_public = bool_word(query.is_public)
            if is_public is None:
                raise BadRequest(f"Invalid is_public filter [{query.is_public}]")
            flavors = flavors.filter(is_public=is_public)
    else:
        flavors = flavors.filter(disabled=False)
    if query.name is not None:
        flavors = flavors.filter(name=query.name)
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
    keys = sort_keys((SORT_KEYS[query.sort_key], "id"), descending=query.sort_dir == "desc")
    marker = None
    if query.marker is not None:
        marker = marker_values(flavors, keys, flavorid=query.marker)
        if marker is None:
            raise BadRequest(f"marker [{query.marker}] not found")
    return keyset_page(flavors, keys, limit=query.limit, marker=marker)[0]


def get_flavor(caller: Caller, flavor_id: str) -> Flavor:
    """A flavor the caller may see (admins: any), else 404."""
    flavor = visible_flavors(caller).filter(flavorid=flavor_id).first()
    if flavor is None:
        raise NotFound(f"Flavor {flavor_id} could not be found.")
    return flavor


# --- create / update / delete ---------------------------------------------------------


@dataclass(frozen=True)
class FlavorCreate:
    """A flavor to create (the API's POST /flavors, the admin's form). ``flavorid`` None or
    "auto" asks for a generated UUID."""

    name: str
    ram: int
    vcpus: int
    disk: int
    flavorid: str | None = None
    swap: int = 0
    ephemeral: int = 0
    is_public: bool = True
    rxtx_factor: float = 1.0
    description: str | None = None


def check_name(value: object) -> str:
    """1 to 255 characters without leading or trailing spaces."""
    if not isinstance(value, str) or not 1 <= len(value) <= 255 or value != value.strip():
        raise invalid("name", value, "A name of 1 to 255 characters without leading or trailing spaces is required")
    return value


def check_flavor_id(value: object) -> str:
    """Null or "auto" (a new UUID), else 1 to 255 of [a-zA-Z0-9. _-]."""
    if value is None or value == "auto":
        return str(uuid.uuid4())
    if not isinstance(value, str) or len(value) > 255 or not FLAVOR_ID_RE.match(value):
        raise invalid("id", value, FLAVOR_ID_RULE)
    return value


def check_description(value: object) -> str | None:
    """Null or a string of at most 65535 characters."""
    if value is not None and (not isinstance(value, str) or len(value) > 65535):
        raise invalid("description", value, "Description must be null or a string of at most 65535 characters")
    return value


def check_rxtx_factor(value: float) -> float:
    """A positive float."""
    if not 0 < value <= MAX_FLOAT:
        raise invalid("rxtx_factor", value, "Value must be greater than 0")
    return value


def _in_range(field: str, value: int, minimum: int) -> int:
    if not minimum <= value <= MAX_INT:
        raise invalid(field, value, f"Value must be between {minimum} and {MAX_INT}")
    return value


def create_flavor(caller: Caller, spec: FlavorCreate) -> Flavor:
    """Create a flavor (policy os_compute_api:os-flavor-manage:create); 400 for a value out
    of Nova's bounds, 409 for a duplicate name or id."""
    policy.enforce(caller, policy.FLAVOR_CREATE)
    fields = {
        "name": check_name(spec.name),
        "flavorid": check_flavor_id(spec.flavorid),
        "memory_mb": _in_range("ram", spec.ram, 1),
        "vcpus": _in_range("vcpus", spec.vcpus, 1),
        "root_gb": _in_range("disk", spec.disk, 0),
        "swap": _in_range("swap", spec.swap, 0),
        "ephemeral_gb": _in_range("OS-FLV-EXT-DATA:ephemeral", spec.ephemeral, 0),
        "is_public": spec.is_public,
        "rxtx_factor": check_rxtx_factor(spec.rxtx_factor),
        "description": check_description(spec.description),
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


def update_description(caller: Caller, flavor_id: str, description: str | None) -> Flavor:
    """Change a flavor's description, the one thing about a flavor that can change (policy
    os_compute_api:os-flavor-manage:update)."""
    policy.enforce(caller, policy.FLAVOR_UPDATE)
    flavor = get_flavor(caller, flavor_id)
    flavor.description = check_description(description)
    flavor.save(update_fields=["description"])
    return flavor


def delete_flavor(caller: Caller, flavor_id: str) -> None:
    """Delete a flavor (policy os_compute_api:os-flavor-manage:delete). Servers keep their
    own snapshot of it."""
    policy.enforce(caller, policy.FLAVOR_DELETE)
    get_flavor(caller, flavor_id).delete()


# --- tenant access --------------------------------------------------------------------


def access_list(caller: Caller, flavor_id: str) -> list[dict[str, str]]:
    """The projects a private flavor is shared with (policy os_compute_api:os-flavor-access);
    404 for a public flavor."""
    policy.enforce(caller, policy.FLAVOR_ACCESS)
    flavor = get_flavor(caller, flavor_id)
    if flavor.is_public:
        raise NotFound("Access list not available for public flavors.")
    return _access_of(flavor)


def _access_of(flavor: Flavor) -> list[dict[str, str]]:
    return [
        {"flavor_id": flavor.flavorid, "tenant_id": project_id}
        for project_id in flavor.access.order_by("project_id").values_list("project_id", flat=True)
    ]


def check_tenant(tenant: object) -> str:
    """A project id: 1 to 255 characters."""
    if not isinstance(tenant, str) or not 1 <= len(tenant) <= 255:
        raise invalid("tenant", tenant, "A project id is required")
    return tenant


def add_tenant_access(
    caller: Caller, flavor_id: str, tenant: str, *, refuse_public: bool = True
) -> list[dict[str, str]]:
    """Share a flavor with a project; 409 when already shared. A public flavor needs no
    access: with ``refuse_public`` (the API from 2.7) adding some is a 409 too."""
    policy.enforce(caller, policy.FLAVOR_ACCESS_ADD)
    tenant = check_tenant(tenant)
    if not project_exists(tenant):
        raise BadRequest(f"Project ID {tenant} is not a valid project.")
    flavor = get_flavor(caller, flavor_id)
    if refuse_public and flavor.is_public:
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


def remove_tenant_access(caller: Caller, flavor_id: str, tenant: str) -> list[dict[str, str]]:
    """Unshare a flavor; 404 when the project had no access."""
    policy.enforce(caller, policy.FLAVOR_ACCESS_REMOVE)
    tenant = check_tenant(tenant)
    flavor = get_flavor(caller, flavor_id)
    deleted, _ = flavor.access.filter(project_id=tenant).delete()
    if not deleted:
        raise NotFound(f"Flavor access not found for {flavor.flavorid} / {tenant} combination.")
    return _access_of(flavor)


# --- extra specs ----------------------------------------------------------------------


def check_extra_specs(specs: dict[str, str]) -> dict[str, str]:
    """Keys ^[a-zA-Z0-9-_:. ]{1,255}$, values of at most 255 characters."""
    for key, value in specs.items():
        if not SPEC_KEY_RE.match(key):
            raise invalid("extra_specs", key, "Keys must match ^[a-zA-Z0-9-_:. ]{1,255}$")
        if len(value) > 255:
            raise invalid(key, value, "Values must be strings of at most 255 characters")
    return specs


def extra_spec(caller: Caller, flavor_id: str, key: str) -> dict[str, str]:
    """One extra spec of a flavor the caller may see, as {key: value}; 404 without it."""
    flavor = get_flavor(caller, flavor_id)
    if key not in flavor.extra_specs:
        raise NotFound(f"Flavor {flavor.flavorid} has no extra specs with key {key}.")
    return {key: flavor.extra_specs[key]}


def merge_extra_specs(caller: Caller, flavor_id: str, specs: dict[str, str]) -> dict[str, str]:
    """Add or overwrite extra specs (policy os_compute_api:os-flavor-extra-specs:create);
    returns what was sent."""
    policy.enforce(caller, policy.FLAVOR_EXTRA_SPECS_CREATE)
    return _merge(caller, flavor_id, check_extra_specs(specs))


def set_extra_spec(caller: Caller, flavor_id: str, key: str, value: str) -> dict[str, str]:
    """Set one extra spec (policy os_compute_api:os-flavor-extra-specs:update)."""
    policy.enforce(caller, policy.FLAVOR_EXTRA_SPECS_UPDATE)
    return _merge(caller, flavor_id, check_extra_specs({key: value}))


def _merge(caller: Caller, flavor_id: str, specs: dict[str, str]) -> dict[str, str]:
    with transaction.atomic():
        flavor = get_flavor(caller, flavor_id)
        flavor = Flavor.objects.select_for_update().get(pk=flavor.pk)
        flavor.extra_specs = {**flavor.extra_specs, **specs}
        flavor.save(update_fields=["extra_specs"])
    return specs


def delete_extra_spec(caller: Caller, flavor_id: str, key: str) -> None:
    """Remove one extra spec (policy os_compute_api:os-flavor-extra-specs:delete); 404
    without it."""
    policy.enforce(caller, policy.FLAVOR_EXTRA_SPECS_DELETE)
    with transaction.atomic():
        flavor = get_flavor(caller, flavor_id)
        flavor = Flavor.objects.select_for_update().get(pk=flavor.pk)
        if key not in flavor.extra_specs:
            raise NotFound(f"Flavor {flavor.flavorid} has no extra specs with key {key}.")
        del flavor.extra_specs[key]
        flavor.save(update_fields=["extra_specs"])
