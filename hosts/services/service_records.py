"""Nova's Service records (os-services): list, enable or disable, force down, delete
(nova/api/openstack/compute/services.py, nova/compute/api.py HostAPI). Every function
enforces its os-services rule first; a record's own rules are Service.clean().

A record is named by its integer id or its UUID (the API decides which by microversion and
parses it), or, by the legacy update forms, by host and binary."""

from __future__ import annotations

import uuid

from django.db import transaction

from core import policy
from core.exceptions import BadRequest, Conflict, NotFound
from core.principal import Caller
from hosts.models import AggregateHost, ComputeNode, Service
from servers.models import Migration, Server

from .validation import clean

#: A Service record's id: its integer primary key, or its UUID.
ServiceKey = int | uuid.UUID
#: Nova's 400 for a reason given with an enable (nova/api/openstack/compute/services.py).
REASON_ONLY_WHEN_DISABLED = "Specifying 'disabled_reason' with status 'enabled' is invalid."
NOTHING_TO_UPDATE = "No updates were requested. Fields 'status' or 'forced_down' should be specified."


def list_services(caller: Caller, *, binary: str | None = None, host: str | None = None) -> list[Service]:
    """Every Service record, in id order, optionally only one binary's or one host's."""
    policy.enforce(caller, policy.SERVICES_LIST)
    rows = Service.objects.order_by("id")
    if binary:
        rows = rows.filter(binary=binary)
    if host:
        rows = rows.filter(host=host)
    return list(rows)


def _find(key: ServiceKey) -> Service:
    found = Service.objects.filter(uuid=key) if isinstance(key, uuid.UUID) else Service.objects.filter(pk=key)
    service = found.first()
    if service is None:
        raise NotFound(f"Service {key} could not be found.")
    return service


def _find_on_host(host: str, binary: str) -> Service:
    service = Service.objects.filter(host=host, binary=binary).first()
    if service is None:
        raise NotFound(f"Service {binary} on host {host} could not be found.")
    return service


def _refuse_done_evacuations(host: str) -> None:
    """A host whose evacuations are still `done` has not restarted since they moved its
    servers away: forcing it up now would let it destroy them (Nova answers 400)."""
    if Migration.objects.filter(source_compute=host, status="done", migration_type="evacuation").exists():
        raise BadRequest(
            f"Unable to force up host {host}: evacuations from it are still done, not completed. "
            "Restart its compute service first, which completes them."
        )


def _refuse_non_compute(service: Service) -> None:
    if service.binary != "nova-compute":
        raise BadRequest(
            f"Updating a {service.binary} service is not supported. Only nova-compute services can be updated."
        )


def _apply(service: Service, enabled: bool | None, disabled_reason: str | None, forced_down: bool | None) -> Service:
    """Enable (clearing any reason) or disable (with an optional reason); fence (forced down
    means down at once) or unfence. A reason with an enable is 400; without a status it is
    ignored, as in Nova; asking for nothing is 400."""
    if enabled is None and forced_down is None:
        raise BadRequest(NOTHING_TO_UPDATE)
    if disabled_reason and enabled is True:
        raise BadRequest(REASON_ONLY_WHEN_DISABLED)
    fields = ["updated_at"]
    if enabled is not None:
        service.disabled = not enabled
        service.disabled_reason = None if enabled else disabled_reason
        fields += ["disabled", "disabled_reason"]
    if forced_down is not None:
        if forced_down is False:
            _refuse_done_evacuations(service.host)
        service.forced_down = forced_down
        fields.append("forced_down")
    clean(service)
    service.save(update_fields=fields)
    return service


def update_service(
    caller: Caller,
    key: ServiceKey,
    *,
    enabled: bool | None = None,
    disabled_reason: str | None = None,
    forced_down: bool | None = None,
) -> Service:
    """PUT /os-services/{id} (2.53): change a nova-compute service's status and/or fencing;
    other binaries cannot be updated (400, as Nova)."""
    policy.enforce(caller, policy.SERVICES_UPDATE)
    service = _find(key)
    _refuse_non_compute(service)
    return _apply(service, enabled, disabled_reason, forced_down)


def update_service_on_host(
    caller: Caller,
    host: str,
    binary: str,
    *,
    enabled: bool | None = None,
    disabled_reason: str | None = None,
    forced_down: bool | None = None,
) -> Service:
    """The legacy updates (below 2.53): the service `binary` on `host` (a binary other than
    nova-compute is 400; a service that does not exist 404)."""
    policy.enforce(caller, policy.SERVICES_UPDATE)
    if binary != "nova-compute":
        raise BadRequest(f"Updating a {binary} service is not supported. Only nova-compute services can be updated.")
    return _apply(_find_on_host(host, binary), enabled, disabled_reason, forced_down)


def delete_service(caller: Caller, key: ServiceKey) -> None:
    """Delete a Service record. A compute service that still hosts servers is refused (409);
    otherwise its host leaves its aggregates and its compute node goes too (if it holds no
    allocations)."""
    policy.enforce(caller, policy.SERVICES_DELETE)
    service = _find(key)
    with transaction.atomic():
        if service.binary == "nova-compute":
            if Server.objects.filter(host=service.host, deleted=False).exists():
                raise Conflict(f"Unable to delete compute service that is in use: servers are on host {service.host}.")
            for membership in AggregateHost.objects.filter(host=service.host):
                membership.delete()
            ComputeNode.objects.filter(host=service.host, allocations__isnull=True).delete()
        service.delete()
