"""The catalog's endpoints, as Keystone keeps them (keystone/api/endpoints.py,
keystone/catalog/core.py): list, show, create, update, delete. Admin only, reading included
(keystone/common/policies/endpoint.py). An endpoint names a service and a region that exist
(else Keystone's 400), and a URL whose substitutions Keystone allows."""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models import QuerySet

from core import policy
from core.exceptions import BadRequest, NotFound
from core.principal import Caller
from core.unset import UNSET, Unset
from identity import catalog
from identity.models import CatalogService, Endpoint, Region

from .regions import create_region

#: keystone.exception.ValidationError's words.
MISSING = (
    "Expecting to find {attribute} in {target}. The server could not comply with the request since it is "
    "either malformed or otherwise incorrect. The client is assumed to be in error."
)


#: keystone/catalog/schema.py's endpoint url (a scheme first), or one starting with the
#: public root (``$(public_endpoint)s``, which Keystone substitutes but its schema's pattern
#: never lets lead: our own endpoints follow the address the client used).
URL_PATTERN = re.compile(r"^([a-zA-Z0-9+.-]+:|\$\(public_endpoint\)s).+")
MAX_URL = 225


def find_endpoint(endpoint_id: str) -> Endpoint:
    """The endpoint ``endpoint_id``, else Keystone's 404."""
    endpoint = Endpoint.objects.select_related("service", "region").filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound(f"Could not find endpoint: {endpoint_id}.")
    return endpoint


def list_endpoints(caller: Caller) -> QuerySet[Endpoint]:
    """Every endpoint (identity:list_endpoints); the API narrows by interface, service_id and
    region_id."""
    policy.enforce(caller, policy.IDENTITY_LIST_ENDPOINTS)
    return Endpoint.objects.all()


def get_endpoint(caller: Caller, endpoint_id: str) -> Endpoint:
    """The endpoint (identity:get_endpoint), else 404."""
    policy.enforce(caller, policy.IDENTITY_GET_ENDPOINT)
    return find_endpoint(endpoint_id)


def _service(service_id: str) -> CatalogService:
    service = CatalogService.objects.filter(pk=service_id).first()
    if service is None:
        raise BadRequest(MISSING.format(attribute="endpoint service_id", target="service table"))
    return service


def _region(caller: Caller, region_id: str | None, legacy: str | None) -> Region | None:
    """The region an endpoint names by ``region_id`` (it must exist: 400), or by the v2-era
    ``region``, which Keystone creates when missing (``_validate_endpoint_region``)."""
    if region_id is None and legacy is not None:
        return Region.objects.filter(pk=legacy).first() or create_region(caller, legacy)
    if region_id is None:
        return None
    region = Region.objects.filter(pk=region_id).first()
    if region is None:
        raise BadRequest(MISSING.format(attribute="endpoint region_id", target="region table"))
    return region


def _check_url(url: str) -> None:
    """Keystone's schema (a scheme, at most 225 characters) and its substitutions."""
    if not URL_PATTERN.match(url) or len(url) > MAX_URL:
        raise BadRequest(f"Invalid input for field 'url': {url!r} is not a URL of at most {MAX_URL} characters.")
    if not catalog.url_is_valid(url):
        raise BadRequest(f"Cannot create an endpoint with an invalid URL: {url}.")


def create_endpoint(
    caller: Caller,
    service_id: str,
    interface: str,
    url: str,
    *,
    region_id: str | None = None,
    region: str | None = None,
    enabled: bool = True,
    endpoint_id: str | None = None,
) -> Endpoint:
    """A new endpoint (identity:create_endpoint)."""
    policy.enforce(caller, policy.IDENTITY_CREATE_ENDPOINT)
    _check_url(url)
    with transaction.atomic():
        endpoint = Endpoint(
            service=_service(service_id),
            region=_region(caller, region_id, region),
            interface=interface,
            url=url,
            enabled=enabled,
        )
        if endpoint_id:
            endpoint.id = endpoint_id
        endpoint.save(force_insert=True)
    return endpoint


def update_endpoint(
    caller: Caller,
    endpoint_id: str,
    *,
    service_id: str | Unset = UNSET,
    interface: str | Unset = UNSET,
    url: str | Unset = UNSET,
    region_id: str | Unset | None = UNSET,
    region: str | Unset | None = UNSET,
    enabled: bool | Unset = UNSET,
) -> Endpoint:
    """Change what is given of an endpoint (identity:update_endpoint)."""
    policy.enforce(caller, policy.IDENTITY_UPDATE_ENDPOINT)
    with transaction.atomic():
        endpoint = find_endpoint(endpoint_id)
        if not isinstance(service_id, Unset):
            endpoint.service = _service(service_id)
        if not isinstance(region_id, Unset) or not isinstance(region, Unset):
            endpoint.region = _region(caller, _given(region_id), _given(region))
        if not isinstance(url, Unset):
            _check_url(url)
            endpoint.url = url
        if not isinstance(interface, Unset):
            endpoint.interface = interface
        if not isinstance(enabled, Unset):
            endpoint.enabled = enabled
        endpoint.save()
    return endpoint


def _given(value: str | Unset | None) -> str | None:
    return None if isinstance(value, Unset) else value


def delete_endpoint(caller: Caller, endpoint_id: str) -> None:
    """Delete an endpoint (identity:delete_endpoint)."""
    policy.enforce(caller, policy.IDENTITY_DELETE_ENDPOINT)
    find_endpoint(endpoint_id).delete()
