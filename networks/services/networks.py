"""Network writes: create, update, delete, with Neutron's policy and quota."""

from __future__ import annotations

from django.db import transaction

from core import policy
from core.principal import Caller
from core.unset import UNSET
from networks.exceptions import InvalidMtu, NetworkInUse
from networks.models import Network, Port

from . import access, quotas
from .arguments import NetworkFields, apply

MTU_RANGE = range(68, 9001)


def _apply(caller: Caller, network: Network, fields: NetworkFields, *, creating: bool) -> None:
    """Check the attributes' rules and set them on ``network`` (not saved)."""
    if fields.mtu is not UNSET and fields.mtu not in MTU_RANGE:
        raise InvalidMtu(fields.mtu)
    shared, external, provider = (
        (policy.NETWORK_CREATE_SHARED, policy.NETWORK_CREATE_EXTERNAL, policy.NETWORK_CREATE_PROVIDER)
        if creating
        else (policy.NETWORK_UPDATE_SHARED, policy.NETWORK_UPDATE_EXTERNAL, policy.NETWORK_UPDATE_PROVIDER)
    )
    if fields.shared is not UNSET:
        policy.enforce(caller, shared, project_id=network.project_id)
    if fields.external is not UNSET:
        policy.enforce(caller, external, project_id=network.project_id)
    if fields.provider:
        policy.enforce(caller, provider, project_id=network.project_id)
    apply(
        network,
        {
            "name": fields.name,
            "description": fields.description,
            "admin_state_up": fields.admin_state_up,
            "shared": fields.shared,
            "external": fields.external,
            "mtu": fields.mtu,
        },
    )


def create_network(caller: Caller, fields: NetworkFields, *, project_id: str | None = None) -> Network:
    """A network owned by the caller's project (or, for an admin, ``project_id``)."""
    network = Network(project_id=access.owner_of_new(caller, project_id, policy.NETWORK_CREATE))
    _apply(caller, network, fields, creating=True)
    with transaction.atomic():
        quotas.reserve(network.project_id, "network")
        network.save()
    return network


def update_network(caller: Caller, network_id: str, fields: NetworkFields) -> Network:
    """Change a network the caller sees and owns (admins: any)."""
    network = access.get_network(caller, network_id)
    policy.enforce(caller, policy.NETWORK_UPDATE, project_id=network.project_id)
    _apply(caller, network, fields, creating=False)
    network.save()
    return network


def delete_network(caller: Caller, network_id: str) -> None:
    """Delete the network with its subnets and unbound ports; 409 NetworkInUse while a
    port of it is attached to a device."""
    network = access.get_network(caller, network_id)
    policy.enforce(caller, policy.NETWORK_DELETE, project_id=network.project_id)
    with transaction.atomic():
        if Port.objects.select_for_update().filter(network=network).exclude(device_id="").exists():
            raise NetworkInUse(str(network.id))
        network.delete()
