"""The service catalog returned with every scoped token and by GET /v3/auth/catalog, built from
the catalog's rows (``identity.models``: CatalogService, Endpoint, Region) as Keystone's SQL
catalog builds it (``get_v3_catalog`` in keystone/catalog/backends/sql.py): every enabled
service with its enabled endpoints, each URL formatted with Keystone's substitutions."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpRequest

from .models import CatalogService, Endpoint

log = logging.getLogger(__name__)

#: The names an endpoint's URL may substitute, as ``$(name)s`` (WHITELISTED_PROPERTIES in
#: keystone/common/utils.py). ``public_endpoint`` is Keystone's option of that name: here
#: PUBLIC_ENDPOINT, else the scheme and host the client used, so one registered URL serves
#: every address the API is reached at.
SUBSTITUTIONS = ("tenant_id", "project_id", "user_id", "compute_host", "public_endpoint")


def base_url(request: HttpRequest) -> str:
    """The public root URL: PUBLIC_ENDPOINT when set, else the scheme and host the client used."""
    return settings.PUBLIC_ENDPOINT.rstrip("/") or f"{request.scheme}://{request.get_host()}"


def _substitute(url: str, values: dict[str, str]) -> str:
    """``url`` with its ``$(name)s`` filled from ``values``; KeyError, TypeError or ValueError
    when it names something else or is not a format string."""
    return url.replace("$(", "%(") % {key: value for key, value in values.items() if key in SUBSTITUTIONS}


def url_is_valid(url: str) -> bool:
    """Whether ``url`` substitutes only what Keystone allows (``check_endpoint_url``)."""
    try:
        _substitute(url, dict.fromkeys(SUBSTITUTIONS, ""))
    except (KeyError, TypeError, ValueError):
        return False
    return True


def format_url(url: str, values: dict[str, str]) -> str | None:
    """The URL a client is given, or None: an endpoint naming the project in a catalog without
    one (a domain-scoped token's) is left out, and so is a malformed one (logged), as
    Keystone's ``format_url`` leaves them out."""
    try:
        return _substitute(url, values)
    except KeyError as missing:
        if missing.args and missing.args[0] in ("tenant_id", "project_id") and "project_id" not in values:
            return None
        log.error("malformed endpoint %s: unknown key %s", url, missing)
    except (TypeError, ValueError):
        log.error("malformed endpoint %s", url)
    return None


def catalog(request: HttpRequest, project_id: str | None = None, user_id: str | None = None) -> list[dict]:
    """Every enabled service with its enabled endpoints, in Keystone's v3 shape. ``$(project_id)s``
    (or ``$(tenant_id)s``) is the token's project; without one, such endpoints are left out."""
    values = {"public_endpoint": base_url(request)}
    if user_id:
        values["user_id"] = user_id
    if project_id:
        values.update(project_id=project_id, tenant_id=project_id)
    endpoints = Endpoint.objects.filter(enabled=True).order_by("interface", "region_id", "id")
    services = CatalogService.objects.filter(enabled=True).prefetch_related(Prefetch("endpoints", queryset=endpoints))
    entries = []
    for service in services:
        shown = []
        for endpoint in service.endpoints.all():
            url = format_url(endpoint.url, values)
            if url is not None:
                region = endpoint.region_id
                shown.append(
                    {
                        "id": endpoint.id,
                        "interface": endpoint.interface,
                        "region_id": region,
                        "region": region,
                        "url": url,
                    }
                )
        entries.append({"id": service.id, "type": service.type, "name": service.name, "endpoints": shown})
    return entries
