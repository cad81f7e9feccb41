"""The typed arguments of the identity service layer: what a caller asks to create or change.

The views build these from Keystone request bodies (``identity.api.parsing``); the admin or a
command may build them directly. In a ``...Changes``, a field left ``UNSET`` was not asked for
and keeps its value (Keystone's PATCH semantics: an absent attribute is unchanged, a null one
may clear it)."""

from __future__ import annotations

from dataclasses import dataclass

from core.unset import UNSET, Unset
from identity.models import DEFAULT_DOMAIN_ID


@dataclass(frozen=True)
class NewProject:
    """POST /v3/projects. ``domain_id`` is what the caller named (None: the default domain)."""

    name: str
    domain_id: str | None = DEFAULT_DOMAIN_ID
    description: str = ""
    enabled: bool = True


@dataclass(frozen=True)
class ProjectChanges:
    """PATCH /v3/projects/{id}. A project never moves to another domain: ``domain_id`` may only
    name the one it is in."""

    name: str | Unset = UNSET
    description: str | Unset = UNSET
    enabled: bool | Unset = UNSET
    domain_id: str | Unset | None = UNSET


@dataclass(frozen=True)
class NewUser:
    """POST /v3/users. A user created without a password cannot log in until one is set."""

    name: str
    domain_id: str | None = DEFAULT_DOMAIN_ID
    password: str | None = None
    email: str = ""
    description: str = ""
    enabled: bool = True
    default_project_id: str | None = None


@dataclass(frozen=True)
class UserChanges:
    """PATCH /v3/users/{id}. A new password ends the user's sessions; ``default_project_id``
    None clears it."""

    name: str | Unset = UNSET
    email: str | Unset = UNSET
    description: str | Unset = UNSET
    enabled: bool | Unset = UNSET
    password: str | Unset = UNSET
    default_project_id: str | Unset | None = UNSET
    domain_id: str | Unset | None = UNSET
