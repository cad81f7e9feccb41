"""What a region without identity of its own (IDENTITY_URL) answers at /identity: Keystone's
404, naming where the identity service is. No proxy and no redirect: a client logs in at the
shared identity service (its catalog lists no identity endpoint in this region), and a
redirect would send passwords wherever a misconfigured URL points."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from core.errors import json_error


def identity_elsewhere(request: HttpRequest) -> HttpResponseBase:
    """Keystone's 404 for any /identity URL of this control plane."""
    return json_error(
        request,
        404,
        f"{settings.REGION_NAME} has no identity service of its own; authenticate at {settings.IDENTITY_URL}.",
    )
