"""Flavor request bodies (nova/api/openstack/compute/schemas/flavor_manage.py,
flavor_access.py, flavors_extraspecs.py): JSON turned into the typed arguments of
servers.services.flavors, which checks the values against Nova's bounds."""

from __future__ import annotations

from typing import Any

from core import microversions as mv
from core.exceptions import BadRequest
from core.microversions import Microversion
from core.params import parse_bool
from servers.services import flavors
from servers.services.flavors import FlavorCreate, invalid

from .common import unexpected

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
ACCESS_ACTIONS = ("addTenantAccess", "removeTenantAccess")


def _integer(field: str, value: object) -> int:
    """Nova's parameter_types.positive_integer shape: an integer or a string of digits."""
    if isinstance(value, str) and value.isdigit():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(field, value, "Value is not an integer")
    return value


def _number(field: str, value: object) -> float:
    """A JSON number or a string of one."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise invalid(field, value, "Value is not a number")
    try:
        return float(value)
    except ValueError:
        raise invalid(field, value, "Value is not a number") from None


def flavor_create(body: dict[str, Any], version: Microversion) -> FlavorCreate:
    """The `flavor` object of POST /flavors (`description` from 2.55; no `rxtx_factor` from
    2.102)."""
    allowed = CREATE_KEYS | ({"description"} if version >= mv.FLAVOR_DESCRIPTION else set())
    if version >= mv.QUERY_PARAMS_RESTRICTED:
        allowed = allowed - {"rxtx_factor"}  # 2.102 dropped it
    if set(body) - allowed:
        raise unexpected(set(body) - allowed)
    for required in ("name", "ram", "vcpus", "disk"):
        if required not in body:
            raise BadRequest(f"Invalid input for field/attribute flavor. '{required}' is a required property")
    flavorid = body.get("id")
    if isinstance(flavorid, int) and not isinstance(flavorid, bool):
        flavorid = str(flavorid)
    if flavorid is not None and not isinstance(flavorid, str):
        raise invalid("id", flavorid, flavors.FLAVOR_ID_RULE)
    return FlavorCreate(
        name=flavors.check_name(body["name"]),
        flavorid=flavorid,
        ram=_integer("ram", body["ram"]),
        vcpus=_integer("vcpus", body["vcpus"]),
        disk=_integer("disk", body["disk"]),
        swap=_integer("swap", body.get("swap", 0)),
        ephemeral=_integer("OS-FLV-EXT-DATA:ephemeral", body.get("OS-FLV-EXT-DATA:ephemeral", 0)),
        is_public=parse_bool(
            body.get("os-flavor-access:is_public", True),
            "os-flavor-access:is_public",
            message="Invalid input for field/attribute {name}. Value: {value}. Value is not a boolean",
        ),
        rxtx_factor=_number("rxtx_factor", body.get("rxtx_factor", 1.0)),
        description=flavors.check_description(body.get("description")),
    )


def flavor_update(body: dict[str, Any]) -> str | None:
    """The `flavor` object of PUT /flavors/{id} (2.55): the description, and nothing else."""
    if set(body) != {"description"}:
        raise BadRequest("Invalid input for field/attribute flavor. Only 'description' is allowed and it is required")
    return flavors.check_description(body["description"])


def access_action(body: dict[str, Any]) -> tuple[str, str]:
    """POST /flavors/{id}/action: (addTenantAccess or removeTenantAccess, the tenant)."""
    if len(body) != 1 or next(iter(body)) not in ACCESS_ACTIONS:
        raise BadRequest("Invalid input: the body must be {'addTenantAccess': ...} or {'removeTenantAccess': ...}.")
    [(action, args)] = body.items()
    if not isinstance(args, dict) or set(args) != {"tenant"}:
        raise BadRequest(f"Invalid input for field/attribute {action}. 'tenant' is the one required property")
    return action, flavors.check_tenant(args["tenant"])


def extra_specs(body: object) -> dict[str, str]:
    """Extra specs as strings: numbers and booleans are stored as strings, like Nova."""
    if not isinstance(body, dict):
        raise BadRequest("Invalid input for field/attribute extra_specs. Value must be an object")
    specs = {}
    for key, value in body.items():
        if isinstance(value, (bool, int, float)):
            value = str(value)
        if not isinstance(value, str):
            raise invalid(key, value, "Values must be strings of at most 255 characters")
        specs[key] = value
    return specs


def extra_spec(body: object, key: str) -> str:
    """PUT /flavors/{id}/os-extra_specs/{key}: a body of exactly {key: value}."""
    specs = extra_specs(body)
    if len(specs) > 1:
        raise BadRequest("Request body contains too many items")
    if key not in specs:
        raise BadRequest("Request body and URI mismatch")
    return specs[key]
