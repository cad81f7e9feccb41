"""Who asks. The service layer sees a ``Caller``, never a request: the API builds one from
the token, the admin from the operator's login, a management command from its options."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

#: The roles a project member's token carries (member implies reader, as Keystone's bootstrap
#: sets it up): what a Caller built without naming its roles holds.
MEMBER_ROLES: tuple[str, ...] = ("member", "reader")


class TokenHolder(Protocol):
    """What ``Caller.of`` needs from an authenticated request's user (identity's Principal)."""

    user_id: str
    project_id: str
    roles: tuple[str, ...]

    @property
    def is_admin(self) -> bool: ...


@dataclass(frozen=True)
class Caller:
    """Enough of the token for policy and auditing: the user, the project it is scoped to
    ("" for an unscoped token, or an operator acting on no project), whether it holds the
    admin role there, the request id actions are recorded under, and the token's effective
    role names (implied roles included). A Caller built without ``roles`` (the admin console,
    management commands, tests) holds a project member's."""

    user_id: str
    project_id: str
    is_admin: bool = False
    request_id: str = ""
    roles: tuple[str, ...] = MEMBER_ROLES

    @classmethod
    def of(cls, user: TokenHolder, request_id: str = "") -> Caller:
        """The caller behind an authenticated request's user."""
        return cls(user.user_id, user.project_id, bool(user.is_admin), request_id, tuple(user.roles))
