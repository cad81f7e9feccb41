"""The base of the host admin views."""

from __future__ import annotations

from core.microversions import Microversion
from core.views import ComputeView


class HostsView(ComputeView):
    """A compute view with the request's microversion typed (ComputeView.initial sets it)."""

    @property
    def api_version(self) -> Microversion:
        """The microversion the request asked for."""
        version: Microversion = self.request.api_version  # type: ignore[attr-defined]  # set by ComputeView
        return version
