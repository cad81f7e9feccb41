"""Helpers shared by the identity views: policy checks and list filtering."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import exceptions

POLICY_MESSAGE = "You are not authorized to perform the requested action."


def require_admin(request) -> None:
    """403 unless the caller's token carries the admin role."""
    if not request.user.is_admin:
        raise exceptions.PermissionDenied(POLICY_MESSAGE)


def require_admin_or_self(request, user_id: str) -> None:
    """403 unless the caller is an admin or the user `user_id` itself."""
    if not (request.user.is_admin or request.user.user_id == user_id):
        raise exceptions.PermissionDenied(POLICY_MESSAGE)


def require_self(request, user_id: str) -> None:
    """403 unless the caller is the user `user_id` (not even an admin acts for another)."""
    if request.user.user_id != user_id:
        raise exceptions.PermissionDenied(POLICY_MESSAGE)


def filter_exact(queryset: QuerySet, params, *names: str) -> QuerySet:
    """Apply the exact-match query parameters `names` that are present (others are ignored,
    as Keystone ignores unknown filters)."""
    for name in names:
        if name in params:
            queryset = queryset.filter(**{name: params[name]})
    return queryset
