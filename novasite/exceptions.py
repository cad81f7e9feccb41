"""Errors raised by the service layers (servers.actions, ...). Each carries its HTTP status,
so the API maps them without knowing them (novasite.errors), and management commands or the
admin can show the same message."""

from __future__ import annotations


class ServiceError(Exception):
    http_status = 500


class BadRequest(ServiceError):
    http_status = 400


class Forbidden(ServiceError):
    http_status = 403


class NotFound(ServiceError):
    http_status = 404


class Conflict(ServiceError):
    http_status = 409
