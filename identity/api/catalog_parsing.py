"""Keystone's region, service and endpoint request bodies (keystone/catalog/schema.py) read
into the service layer's arguments. A body of the wrong shape is a 400 in Keystone's words."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.exceptions import BadRequest
from core.unset import UNSET, Unset
from identity.models import INTERFACES

from .parsing import boolean, entity, required_text, text

#: keystone/api/validation/parameter_types.py: description, region_id.
DESCRIPTION_LENGTH = 255
REGION_ID_LENGTH = 255


def _nullable_text(body: dict[str, Any], key: str, max_length: int) -> str | Unset | None:
    """A string-or-null attribute: UNSET when absent."""
    if body.get(key, "") is None:
        return None
    return text(body, key, max_length=max_length)


def _region_id(body: dict[str, Any], key: str) -> str | Unset | None:
    """A region id (1 to 255 characters) or null: UNSET when absent."""
    value = _nullable_text(body, key, REGION_ID_LENGTH)
    if value == "":
        raise BadRequest(f"Invalid input for field '{key}': '' is too short.")
    return value


def _same_id(body: dict[str, Any], path_id: str) -> None:
    """An update may repeat the id, never change it (``_require_matching_id``)."""
    if body.get("id") is not None and body["id"] != path_id:
        raise BadRequest("Cannot change ID")


def _value(value: Any, default: Any) -> Any:
    return default if isinstance(value, Unset) else value


def new_region(data: object, path_id: str | None = None) -> dict[str, Any]:
    """POST /v3/regions (an id is optional) or PUT /v3/regions/{id} (the body may repeat it)."""
    body = entity(data, "region")
    region_id = _value(text(body, "id", max_length=REGION_ID_LENGTH), None)
    if path_id is not None:
        if region_id is not None and region_id != path_id:
            raise BadRequest(f'Conflicting region IDs specified: "{path_id}" != "{region_id}"')
        region_id = path_id
    return {
        "region_id": region_id,
        "description": _value(_nullable_text(body, "description", DESCRIPTION_LENGTH), None) or "",
        "parent_id": _value(_region_id(body, "parent_region_id"), None),
    }


def region_changes(data: object, path_id: str) -> dict[str, Any]:
    """PATCH /v3/regions/{id}: description and parent_region_id, as given."""
    body = entity(data, "region")
    if not body:
        raise BadRequest("Invalid input for field 'region': {} does not have enough properties.")
    _same_id(body, path_id)
    description = _nullable_text(body, "description", DESCRIPTION_LENGTH)
    return {
        "description": "" if description is None else description,
        "parent_id": _region_id(body, "parent_region_id"),
    }


def new_service(data: object) -> dict[str, Any]:
    """POST /v3/services: a type; a name, description, enabled."""
    body = entity(data, "service")
    return {
        "service_type": required_text(body, "type", allow_empty=False),
        "name": _value(text(body, "name", allow_empty=False), ""),
        "description": _value(_nullable_text(body, "description", 65535), None) or "",
        "enabled": _value(boolean(body, "enabled"), True),
    }


def service_changes(data: object, path_id: str) -> dict[str, Any]:
    """PATCH /v3/services/{id}: any of type, name, description, enabled."""
    body = entity(data, "service")
    if not body:
        raise BadRequest("Invalid input for field 'service': {} does not have enough properties.")
    _same_id(body, path_id)
    description = _nullable_text(body, "description", 65535)
    return {
        "service_type": text(body, "type", allow_empty=False),
        "name": text(body, "name", allow_empty=False),
        "description": "" if description is None else description,
        "enabled": boolean(body, "enabled"),
    }


def _interface(body: dict[str, Any], required: bool) -> str | Unset:
    if required and "interface" not in body:
        raise BadRequest("Invalid input for field 'interface': 'interface' is a required property.")
    value = body.get("interface", UNSET)
    if value is not UNSET and value not in INTERFACES:
        raise BadRequest(f"Invalid input for field 'interface': {value!r} is not one of {list(INTERFACES)}.")
    return value


def new_endpoint(data: object) -> dict[str, Any]:
    """POST /v3/endpoints: interface, service_id, url; region_id (or the older region), enabled."""
    body = entity(data, "endpoint")
    interface = _interface(body, required=True)
    return {
        "service_id": required_text(body, "service_id"),
        "interface": interface,
        "url": required_text(body, "url", max_length=65535),
        "region_id": _value(_nullable_text(body, "region_id", REGION_ID_LENGTH), None),
        "region": _value(_nullable_text(body, "region", REGION_ID_LENGTH), None),
        "enabled": _value(boolean(body, "enabled"), True),
    }


def endpoint_changes(data: object, path_id: str) -> dict[str, Any]:
    """PATCH /v3/endpoints/{id}: any of those."""
    body = entity(data, "endpoint")
    if not body:
        raise BadRequest("Invalid input for field 'endpoint': {} does not have enough properties.")
    _same_id(body, path_id)
    return {
        "service_id": text(body, "service_id"),
        "interface": _interface(body, required=False),
        "url": text(body, "url", max_length=65535),
        "region_id": _nullable_text(body, "region_id", REGION_ID_LENGTH),
        "region": _nullable_text(body, "region", REGION_ID_LENGTH),
        "enabled": boolean(body, "enabled"),
    }


def endpoint_query(params: Mapping[str, str]) -> None:
    """GET /v3/endpoints: an interface filter must name an interface (Keystone's query schema)."""
    _interface(dict(params.items()), required=False)
