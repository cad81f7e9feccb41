"""The endpoints this novasite serves itself, registered in the catalog by the seeds (``make
run``'s seed_demo, the conformance cloud) as ``keystone-manage bootstrap`` and devstack
register theirs: one public endpoint per service, in the local region (REGION_NAME).

The URLs start with ``$(public_endpoint)s`` (``identity.catalog``), so a token's catalog names
the address the client used, or PUBLIC_ENDPOINT; the volume URL carries the project. The ids
are fixed, so registering again changes only what differs."""

from __future__ import annotations

import hashlib

from core.exceptions import NotFound
from core.principal import Caller
from identity.models import CatalogService, Endpoint

from . import catalog_services, endpoints, regions

#: type, name, URL
OWN_SERVICES = (
    ("identity", "keystone", "$(public_endpoint)s/identity"),
    ("compute", "nova", "$(public_endpoint)s/compute/v2.1"),
    ("image", "glance", "$(public_endpoint)s/image"),
    ("network", "neutron", "$(public_endpoint)s/network"),
    # A read-only view of the scheduler's compute nodes and claims (placement/).
    ("placement", "placement", "$(public_endpoint)s/placement"),
    # Cinder's URL carries the project (http://H/volume/v3/{project_id}), as the client expects.
    ("volumev3", "cinderv3", "$(public_endpoint)s/volume/v3/$(project_id)s"),
)


def stable_id(*parts: str) -> str:
    """The fixed id of one of our own services or endpoints (the ids tokens showed before the
    catalog had rows)."""
    return hashlib.md5("/".join(parts).encode()).hexdigest()


def register_own_endpoints(caller: Caller, region_id: str) -> None:
    """The region, our services and their public endpoints, created where missing and set
    back where they differ."""
    try:
        regions.get_region(caller, region_id)
    except NotFound:
        regions.create_region(caller, region_id)
    for service_type, name, url in OWN_SERVICES:
        service_id = stable_id(service_type)
        service = CatalogService.objects.filter(pk=service_id).first()
        if service is None:
            catalog_services.create_service(caller, service_type, name=name, service_id=service_id)
        elif (service.type, service.name, service.enabled) != (service_type, name, True):
            catalog_services.update_service(caller, service_id, service_type=service_type, name=name, enabled=True)
        endpoint_id = stable_id(service_type, "public")
        endpoint = Endpoint.objects.filter(pk=endpoint_id).first()
        wanted = (service_id, "public", url, region_id, True)
        if endpoint is None:
            endpoints.create_endpoint(caller, service_id, "public", url, region_id=region_id, endpoint_id=endpoint_id)
        elif (endpoint.service_id, endpoint.interface, endpoint.url, endpoint.region_id, endpoint.enabled) != wanted:
            endpoints.update_endpoint(
                caller,
                endpoint_id,
                service_id=service_id,
                interface="public",
                url=url,
                region_id=region_id,
                enabled=True,
            )
