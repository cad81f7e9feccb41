"""The service layer's error vocabulary. Each error carries its HTTP status, so the API maps
it to the right service's error body (``core.errors``) without knowing the class, and the
admin or a management command shows the same message."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of every error the service layer raises on purpose."""

    http_status = 500

    @property
    def message(self) -> str:
        """The sentence a client or an operator reads."""
        return str(self)


class BadRequest(ServiceError):
    """The request itself is wrong (400)."""

    http_status = 400


class Unauthorized(ServiceError):
    """No valid credentials (401)."""

    http_status = 401


class Forbidden(ServiceError):
    """The caller may not do this (403)."""

    http_status = 403


class PolicyNotAuthorized(Forbidden):
    """A named policy rule refused the caller (403). Each service words it its own way
    (``core.errors``); ``str()`` gives Nova's wording."""

    def __init__(self, rule: str) -> None:
        self.rule = rule
        super().__init__(f"Policy doesn't allow {rule} to be performed.")


class NotFound(ServiceError):
    """No such resource, or one the caller may not see (404)."""

    http_status = 404


class Conflict(ServiceError):
    """The resource's state does not allow this now (409)."""

    http_status = 409


class QuotaExceeded(Forbidden):
    """The request would take a project over one of its limits (403, as Nova answers)."""


class OverLimit(ServiceError):
    """Too large, or over a quota where the service answers 413 (Cinder, Glance)."""

    http_status = 413


class NotSupported(ServiceError):
    """The functionality is not offered here, e.g. by the hypervisor driver (501)."""

    http_status = 501


class Unavailable(ServiceError):
    """A dependency is down; retrying later may work (503)."""

    http_status = 503
