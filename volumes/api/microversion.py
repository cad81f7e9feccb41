"""The block storage API's microversion: ``OpenStack-API-Version: volume 3.X`` read from a
request and echoed on its response, as Cinder's WSGI layer does for every v3 call."""

from __future__ import annotations

from collections.abc import Mapping

from core.microversions import Microversion, VersionNotAcceptable

from .representation import MAX_VERSION, MIN_VERSION

SERVICE = "volume"
HEADER = "OpenStack-API-Version"


def requested(headers: Mapping[str, str]) -> Microversion:
    """The volume version asked for: none means the minimum (3.0), ``latest`` the maximum;
    a version outside [3.0, max] is 406, as Cinder's InvalidGlobalAPIVersion."""
    minimum, maximum = Microversion.parse(MIN_VERSION), Microversion.parse(MAX_VERSION)
    value = None
    for item in headers.get(HEADER, "").split(","):
        service, _, version = item.strip().partition(" ")
        if service.lower() == SERVICE and version.strip():
            value = version.strip()
    if value is None:
        return minimum
    if value.lower() == "latest":
        return maximum
    asked = Microversion.parse(value)
    if not minimum <= asked <= maximum:
        raise VersionNotAcceptable(
            f"Version {value} is not supported by the API. Minimum is {minimum} and maximum is {maximum}."
        )
    return asked
