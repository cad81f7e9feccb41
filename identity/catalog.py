"""The service catalog returned with every token."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpRequest

SERVICES = (
    ("identity", "keystone", "/identity"),
    ("compute", "nova", "/compute/v2.1"),
    ("image", "glance", "/image"),
    ("network", "neutron", "/network"),
    # A read-only view of the scheduler's compute nodes and claims (placement/).
    ("placement", "placement", "/placement"),
    # Cinder's URL carries the project (http://H/volume/v3/{project_id}), as the client expects.
    ("volumev3", "cinderv3", "/volume/v3/{project_id}"),
)


def base_url(request: HttpRequest) -> str:
    """The public root URL: PUBLIC_ENDPOINT when set, else the scheme and host the client used."""
    return settings.PUBLIC_ENDPOINT.rstrip("/") or f"{request.scheme}://{request.get_host()}"


def stable_id(*parts: str) -> str:
    return hashlib.md5("/".join(parts).encode()).hexdigest()


def catalog(request: HttpRequest, project_id: str | None = None) -> list[dict]:
    """One public endpoint per service, in the configured region. `{project_id}` in a path
    is the token's project; without one, such services are left out."""
    root = base_url(request)
    region = settings.REGION_NAME
    entries = []
    for service_type, name, path in SERVICES:
        if "{project_id}" in path:
            if not project_id:
                continue
            path = path.replace("{project_id}", project_id)
        url = root + path
        entries.append(
            {
                "id": stable_id(service_type),
                "type": service_type,
                "name": name,
                "endpoints": [
                    {
                        "id": stable_id(service_type, "public"),
                        "interface": "public",
                        "region_id": region,
                        "region": region,
                        "url": url,
                    }
                ],
            }
        )
    return entries
