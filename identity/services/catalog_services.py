"""The catalog's services, as Keystone keeps them (keystone/catalog/core.py): list, show,
create, update, delete (with their endpoints). Admin only, reading included
(keystone/common/policies/service.py)."""

from __future__ import annotations

from django.db.models import QuerySet

from core import policy
from core.exceptions import NotFound
from core.principal import Caller
from core.unset import UNSET, Unset
from identity.models import CatalogService


def find_service(service_id: str) -> CatalogService:
    """The service ``service_id``, else Keystone's 404."""
    service = CatalogService.objects.filter(pk=service_id).first()
    if service is None:
        raise NotFound(f"Could not find service: {service_id}.")
    return service


def list_services(caller: Caller) -> QuerySet[CatalogService]:
    """Every service (identity:list_services); the API narrows by type and name."""
    policy.enforce(caller, policy.IDENTITY_LIST_SERVICES)
    return CatalogService.objects.all()


def get_service(caller: Caller, service_id: str) -> CatalogService:
    """The service (identity:get_service), else 404."""
    policy.enforce(caller, policy.IDENTITY_GET_SERVICE)
    return find_service(service_id)


def create_service(
    caller: Caller,
    service_type: str,
    *,
    name: str = "",
    description: str = "",
    enabled: bool = True,
    service_id: str | None = None,
) -> CatalogService:
    """A new service (identity:create_service); Keystone gives it an id of its own."""
    policy.enforce(caller, policy.IDENTITY_CREATE_SERVICE)
    service = CatalogService(type=service_type, name=name, description=description, enabled=enabled)
    if service_id:
        service.id = service_id
    service.save(force_insert=True)
    return service


def update_service(
    caller: Caller,
    service_id: str,
    *,
    service_type: str | Unset = UNSET,
    name: str | Unset = UNSET,
    description: str | Unset = UNSET,
    enabled: bool | Unset = UNSET,
) -> CatalogService:
    """Change what is given of a service (identity:update_service)."""
    policy.enforce(caller, policy.IDENTITY_UPDATE_SERVICE)
    service = find_service(service_id)
    for field, value in (("type", service_type), ("name", name), ("description", description), ("enabled", enabled)):
        if not isinstance(value, Unset):
            setattr(service, field, value)
    service.save()
    return service


def delete_service(caller: Caller, service_id: str) -> None:
    """Delete a service and its endpoints (identity:delete_service)."""
    policy.enforce(caller, policy.IDENTITY_DELETE_SERVICE)
    find_service(service_id).delete()
