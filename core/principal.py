"""Who asks. The service layer sees a ``Caller``, never a request: the API builds one from
the token, the admin from the operator's login, a management command from its options."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class TokenHolder(Protocol):
    """What ``Caller.of`` needs from an authenticated request's user (identity's Principal)."""

    user_id: str
    project_id: str

    @property
    def is_admin(self) -> bool: ...


@dataclass(frozen=True)
class Caller:
    """Enough of the token for policy and auditing: the user, the project it is scoped to,
    whether it holds the admin role there, and the request id actions are recorded under."""

    user_id: str
    project_id: str
    is_admin: bool = False
    request_id: str = ""

    @classmethod
    def of(cls, user: TokenHolder, request_id: str = "") -> Caller:
        """The caller behind an authenticated request's user."""
        return cls(user.user_id, user.project_id, bool(user.is_admin), request_id)
