"""Keypairs service layer: import (fingerprint and format check), generation, listing and
deletion, per user, with Nova's messages (nova/api/openstack/compute/keypairs.py,
nova/compute/api.py KeypairAPI, nova/crypto.py).

SSH fingerprints are the MD5 of the decoded key blob in colon-separated hex; x509
fingerprints are the SHA-1 of the certificate's DER bytes, as Nova computes them.
SSH generation (an RSA key) and x509 generation (a self-signed certificate,
servers.services.x509_keys) use `cryptography`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import IntegrityError, transaction

from core import policy
from core.exceptions import BadRequest, Conflict, NotFound, QuotaExceeded
from core.paging import SortKey, keyset_page, marker_values
from core.principal import Caller
from core.quotas import UNLIMITED, fits

from ..models import Keypair
from . import quotas
from .x509_keys import generate_x509_cert

# A user's keypairs are in name order (a name is unique per user).
BY_NAME = (SortKey("name"),)

SSH_KEY_TYPES = {
    "ssh-rsa",
    "ssh-dss",
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
}
KEY_TYPES = ("ssh", "x509")
#: Keypair names (nova/api/validation/parameter_types.py): @ is allowed from 2.92 on.
NAME_RE = re.compile(r"^(?! )[a-zA-Z0-9. _@-]+(?<! )$")
LEGACY_NAME_RE = re.compile(r"^(?! )[a-zA-Z0-9. _-]+(?<! )$")
PEM_RE = re.compile(r"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", re.S)


def _colon_hex(digest: bytes) -> str:
    return ":".join(f"{byte:02x}" for byte in digest)


def ssh_fingerprint(public_key: str) -> str:
    """MD5 colon fingerprint of an OpenSSH public key line, after checking that its base64 blob
    decodes and starts with its own declared key type; 400 otherwise."""
    error = BadRequest("Keypair data is invalid: failed to generate fingerprint")
    parts = public_key.strip().split()
    if len(parts) < 2 or parts[0] not in SSH_KEY_TYPES:
        raise error
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        raise error from None
    if len(blob) < 4:
        raise error
    (length,) = struct.unpack(">I", blob[:4])
    if blob[4 : 4 + length] != parts[0].encode() or len(blob) <= 4 + length:
        raise error
    return _colon_hex(hashlib.md5(blob).digest())


def x509_fingerprint(public_key: str) -> str:
    """SHA-1 colon fingerprint of a PEM certificate; 400 when it is not one."""
    match = PEM_RE.search(public_key)
    try:
        der = base64.b64decode("".join(match.group(1).split()), validate=True) if match else b""
    except (binascii.Error, ValueError):
        der = b""
    if not der.startswith(b"\x30"):  # a DER SEQUENCE
        raise BadRequest("Keypair data is invalid: failed to generate X509 fingerprint")
    return _colon_hex(hashlib.sha1(der).digest())


def generate_ssh_key(comment: str) -> tuple[str, str]:
    """(private key, public key) of a new 2048-bit RSA key, like Nova's crypto.generate_key_pair:
    the private key in the traditional PEM form, the public key in OpenSSH's form with
    ``comment``. Made with ``cryptography``, so no ``ssh-keygen`` is needed on the API host."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return private, f"{public.decode()} {comment}".strip()


def check_name(name: object, *, allow_at: bool = True) -> str:
    """A keypair name: 1 to 255 of [a-zA-Z0-9. _-] (and @ unless ``allow_at`` is False, as
    before 2.92), no leading or trailing space; 400 otherwise."""
    pattern = NAME_RE if allow_at else LEGACY_NAME_RE
    if not isinstance(name, str) or not 1 <= len(name) <= 255 or not pattern.match(name):
        raise BadRequest(
            f"Invalid input for field/attribute name. Value: {name}. Keypair name contains unsafe characters"
        )
    return name


def _owner(caller: Caller, user_id: str | None) -> str:
    """The user whose keypairs are meant: the caller's own, or (admins) another user's."""
    if user_id is None or user_id == caller.user_id:
        return caller.user_id
    if not 1 <= len(user_id) <= 64:
        raise BadRequest(f"Invalid input for field/attribute user_id. Value: {user_id}.")
    policy.enforce(caller, policy.KEYPAIRS_OF_USER, user_id=user_id)
    return user_id


def list_keypairs(
    caller: Caller, user_id: str | None = None, limit: int | None = None, marker: str | None = None
) -> list[Keypair]:
    """A user's keypairs by name, after the keypair named ``marker``, at most ``limit``."""
    keypairs = Keypair.objects.filter(user_id=_owner(caller, user_id))
    after = None
    if marker is not None:
        after = marker_values(keypairs, BY_NAME, name=marker)
        if after is None:
            raise BadRequest(f"marker [{marker}] not found")
    return keyset_page(keypairs, BY_NAME, limit=limit, marker=after)[0]


def get_keypair(caller: Caller, name: str, user_id: str | None = None) -> Keypair:
    """A user's keypair by name, else 404."""
    owner = _owner(caller, user_id)
    keypair = Keypair.objects.filter(user_id=owner, name=name).first()
    if keypair is None:
        raise NotFound(f"Keypair {name} not found for user {owner}")
    return keypair


def delete_keypair(caller: Caller, name: str, user_id: str | None = None) -> None:
    """Delete a user's keypair by name (404 when there is none)."""
    get_keypair(caller, name, user_id).delete()


@dataclass(frozen=True)
class KeypairCreate:
    """A keypair to import (``public_key`` given) or to generate (``public_key`` None), for
    the caller or, for admins, another user (``user_id``)."""

    name: str
    public_key: str | None = None
    key_type: str = "ssh"
    user_id: str | None = None


def create_keypair(caller: Caller, spec: KeypairCreate) -> tuple[Keypair, str | None]:
    """Import ``spec.public_key`` or generate a key; returns the keypair and the generated
    private key (None on import). 409 for a name the owner already uses, 403 over quota."""
    name = check_name(spec.name)
    if spec.key_type not in KEY_TYPES:
        raise BadRequest(f"Invalid input for field/attribute type. Value: {spec.key_type}. Must be 'ssh' or 'x509'")
    public_key = spec.public_key
    if public_key is not None and not public_key.strip():
        raise BadRequest("Keypair data is invalid: failed to generate fingerprint")
    owner = _owner(caller, spec.user_id)
    private_key = None
    if public_key is None:
        if spec.key_type == "x509":
            private_key, public_key = generate_x509_cert(owner)
        else:
            private_key, public_key = generate_ssh_key("Generated-by-Nova")
    fingerprint = ssh_fingerprint(public_key) if spec.key_type == "ssh" else x509_fingerprint(public_key)
    _check_quota(caller, owner)
    try:
        with transaction.atomic():
            keypair = Keypair.objects.create(
                name=name,
                user_id=owner,
                project_id=caller.project_id if owner == caller.user_id else "",
                public_key=public_key.strip(),
                fingerprint=fingerprint,
                type=spec.key_type,
            )
    except IntegrityError:
        raise Conflict(f"Key pair '{name}' already exists.") from None
    try:
        _check_quota(caller, owner, extra=0)  # Nova's recheck: a concurrent create may have won
    except QuotaExceeded:
        keypair.delete()
        raise
    return keypair, private_key


def _check_quota(caller: Caller, owner: str, extra: int = 1) -> None:
    """Count-based like Nova: the owner's keypairs (+ `extra`) against key_pairs."""
    limit = quotas.limits_for(caller.project_id).get("key_pairs", UNLIMITED)
    if not fits(limit, Keypair.objects.filter(user_id=owner).count(), extra):
        raise QuotaExceeded("Quota exceeded, too many key pairs.")
