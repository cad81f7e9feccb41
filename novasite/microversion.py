"""Compute API microversions: parse the request's version, reject what we do not serve (406),
echo the version served."""

from __future__ import annotations

import re

from django.conf import settings
from rest_framework import exceptions
from rest_framework.views import APIView

MIN_VERSION = (2, 1)
VERSION_RE = re.compile(r"^(\d+)\.(\d+)$")


def max_version() -> tuple[int, int]:
    major, minor = settings.COMPUTE_MAX_MICROVERSION.split(".")
    return int(major), int(minor)


def as_text(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"


def requested_version(headers) -> tuple[int, int]:
    """The version asked for: `OpenStack-API-Version: compute X` wins over the legacy
    `X-OpenStack-Nova-API-Version: X`; none means 2.1; `latest` means the maximum."""
    value = None
    for item in headers.get("OpenStack-API-Version", "").split(","):
        service, _, version = item.strip().partition(" ")
        if service.lower() == "compute" and version.strip():
            value = version.strip()
    if value is None:
        value = headers.get("X-OpenStack-Nova-API-Version", "").strip() or None
    if value is None:
        return MIN_VERSION
    if value.lower() == "latest":
        return max_version()
    match = VERSION_RE.match(value)
    if not match:
        raise exceptions.ValidationError(f"Invalid API version request: {value}")
    version = (int(match.group(1)), int(match.group(2)))
    if not MIN_VERSION <= version <= max_version():
        raise exceptions.NotAcceptable(
            f"Version {value} is not supported by the API. Minimum is {as_text(MIN_VERSION)} "
            f"and maximum is {as_text(max_version())}."
        )
    return version


class ComputeView(APIView):
    """Base of every compute API view: sets request.api_version and echoes it."""

    def initial(self, request, *args, **kwargs) -> None:
        request.api_version = MIN_VERSION
        request.api_version = requested_version(request.headers)
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        version = getattr(request, "api_version", MIN_VERSION)
        response["OpenStack-API-Version"] = f"compute {as_text(version)}"
        response["X-OpenStack-Nova-API-Version"] = as_text(version)
        response["Vary"] = "OpenStack-API-Version, X-OpenStack-Nova-API-Version"
        return response

    @property
    def caller(self):
        """The service-layer view of who is calling."""
        from servers.actions import Caller

        user = self.request.user
        return Caller(user.user_id, user.project_id, user.is_admin, self.request.request_id)
