"""POST /os-keypairs bodies (nova/api/openstack/compute/schemas/keypairs.py): `type` from
2.2, `user_id` from 2.10, `@` in names and a mandatory `public_key` from 2.92."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request

from core import microversions as mv
from core.exceptions import BadRequest
from core.microversions import Microversion
from servers.services.keypairs import KEY_TYPES, KeypairCreate, check_name

from .common import unexpected


def keypair_create(body: dict[str, Any], version: Microversion) -> KeypairCreate:
    """The `keypair` object of POST /os-keypairs as the service's KeypairCreate."""
    allowed = {"name", "public_key"}
    if version >= mv.KEYPAIR_TYPE:
        allowed.add("type")
    if version >= mv.KEYPAIR_USER_ID:
        allowed.add("user_id")
    if set(body) - allowed:
        raise unexpected(set(body) - allowed)
    name = check_name(body.get("name"), allow_at=version >= mv.KEYPAIR_IMPORT_ONLY)
    key_type = body.get("type", "ssh")
    if key_type not in KEY_TYPES:
        raise BadRequest(f"Invalid input for field/attribute type. Value: {key_type}. Must be 'ssh' or 'x509'")
    public_key = body.get("public_key")
    if public_key is None and version >= mv.KEYPAIR_IMPORT_ONLY:
        raise BadRequest("Invalid input for field/attribute keypair. 'public_key' is a required property")
    if public_key is not None and not isinstance(public_key, str):
        raise BadRequest("Keypair data is invalid: failed to generate fingerprint")
    user_id = body.get("user_id")
    if user_id is not None and not isinstance(user_id, str):
        raise BadRequest(f"Invalid input for field/attribute user_id. Value: {user_id}.")
    return KeypairCreate(name=name, public_key=public_key, key_type=key_type, user_id=user_id)


def user_param(request: Request, version: Microversion) -> str | None:
    """?user_id= (from 2.10: an admin names another user's keypairs); ignored before."""
    return request.query_params.get("user_id") if version >= mv.KEYPAIR_USER_ID else None
