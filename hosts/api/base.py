"""The base of the host admin views, and the query strictness Nova's schemas add per version."""

from __future__ import annotations

from collections.abc import Collection

from rest_framework.request import Request

from core.exceptions import BadRequest
from core.microversions import Microversion
from core.views import ComputeView


def refuse_unknown_query(request: Request, allowed: Collection[str]) -> None:
    """400 for a query parameter the API does not know (Nova's query schemas with
    additionalProperties false: from 2.53 for os-hypervisors, 2.75 for os-services, quotas
    and limits, 2.102 for the rest)."""
    unknown = set(request.query_params) - set(allowed)
    if unknown:
        names = ", ".join(repr(name) for name in sorted(unknown))
        raise BadRequest(f"Additional properties are not allowed ({names} was unexpected)")


class HostsView(ComputeView):
    """A compute view with the request's microversion typed (ComputeView.initial sets it)."""

    @property
    def api_version(self) -> Microversion:
        """The microversion the request asked for."""
        version: Microversion = self.request.api_version  # type: ignore[attr-defined]  # set by ComputeView
        return version

    def strict_query(self, since: Microversion, allowed: Collection[str] = ()) -> None:
        """From microversion `since`, refuse query parameters other than `allowed`."""
        if self.api_version >= since:
            refuse_unknown_query(self.request, allowed)
