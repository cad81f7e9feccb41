"""The block storage API's microversion: ``OpenStack-API-Version: volume 3.X`` read from a
request and echoed on its response, as Cinder's WSGI layer does for every v3 call."""

from __future__ import annotations

from collections.abc import Mapping

from core.microversions import Microversion, requested_version

from .representation import MAX_VERSION, MIN_VERSION

SERVICE = "volume"
HEADER = "OpenStack-API-Version"


def requested(headers: Mapping[str, str]) -> Microversion:
    """The volume version asked for: none means the minimum (3.0), ``latest`` the maximum;
    a version outside [3.0, max] is 406, as Cinder's InvalidGlobalAPIVersion."""
    return requested_version(headers, SERVICE, Microversion.parse(MIN_VERSION), Microversion.parse(MAX_VERSION))
