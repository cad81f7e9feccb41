"""Base API views: what every view of a service shares before its own code runs."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.permissions import SAFE_METHODS, AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import microversions, policy
from .exceptions import PolicyNotAuthorized
from .principal import Caller


def max_microversion() -> microversions.Microversion:
    """The highest compute microversion served (settings.COMPUTE_MAX_MICROVERSION)."""
    return microversions.Microversion.parse(settings.COMPUTE_MAX_MICROVERSION)


def caller_of(request: Request) -> Caller:
    """The service layer's view of who sent an authenticated request."""
    return Caller.of(request.user, getattr(request, "request_id", ""))  # type: ignore[arg-type]


class ProjectRoles(BasePermission):
    """What every API but Identity asks of a token before its own rules: a role on the token's
    project to read (project_reader_or_admin), the member role to change anything
    (project_member_or_admin), as Nova's, Neutron's, Glance's and Cinder's default policies
    ask of each of their calls. A reader-only token may only read; an unscoped token, which has
    no project and no role, is refused with the policy's 403 (keystonemiddleware lets it
    through; the services' policies refuse it). So is a domain-scoped token, even one with the
    admin role: these services' rules have ``scope_types=['project']``."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        write = request.method not in SAFE_METHODS
        rule = policy.PROJECT_MEMBER_OR_ADMIN if write else policy.PROJECT_READER_OR_ADMIN
        caller = caller_of(request)
        if not caller.project_id:
            raise PolicyNotAuthorized(rule.name)
        policy.enforce(caller, rule)
        return True


class ServiceView(APIView):
    """Base of every authenticated API view: ``self.caller`` for the service layer. A token
    needs a role on its project (``ProjectRoles``); Identity's views, whose own rules say what
    any token (an unscoped one too) may do, ask only for a valid token."""

    permission_classes = [IsAuthenticated, ProjectRoles]

    @property
    def caller(self) -> Caller:
        """Who is calling, as the service layer sees it."""
        return caller_of(self.request)


class ComputeView(ServiceView):
    """Base of every compute API view: sets ``request.api_version`` and echoes it."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        request.api_version = microversions.MIN  # type: ignore[attr-defined]
        request.api_version = microversions.requested(request.headers, max_microversion())  # type: ignore[attr-defined]
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        version = getattr(request, "api_version", microversions.MIN)
        response["OpenStack-API-Version"] = f"compute {version}"
        response["X-OpenStack-Nova-API-Version"] = str(version)
        response["Vary"] = "OpenStack-API-Version, X-OpenStack-Nova-API-Version"
        return response


class PublicView(APIView):
    """A view anyone may read without a token (version documents)."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
