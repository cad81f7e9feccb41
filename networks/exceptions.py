"""Neutron's typed errors. Each carries its HTTP status (core.exceptions) and the
`type` Neutron puts in {"NeutronError": {"type": ..., "message": ..., "detail": ""}};
core.errors writes that type into the error body. A policy refusal is core's
PolicyNotAuthorized, which core.errors words as Neutron does."""

from __future__ import annotations

from core.exceptions import BadRequest, Conflict, NotFound


class InvalidInput(BadRequest):
    neutron_type = "InvalidInput"

    def __init__(self, message: str) -> None:
        super().__init__(f"Invalid input for operation: {message}")


class InvalidMtu(InvalidInput):
    def __init__(self, mtu: object) -> None:
        super().__init__(f"mtu {mtu!r} must be an integer from 68 to 9000.")


class NetworkNotFound(NotFound):
    neutron_type = "NetworkNotFound"

    def __init__(self, network_id: str) -> None:
        super().__init__(f"Network {network_id} could not be found.")


class SubnetNotFound(NotFound):
    neutron_type = "SubnetNotFound"

    def __init__(self, subnet_id: str) -> None:
        super().__init__(f"Subnet {subnet_id} could not be found.")


class PortNotFound(NotFound):
    neutron_type = "PortNotFound"

    def __init__(self, port_id: str) -> None:
        super().__init__(f"Port {port_id} could not be found.")


class NetworkInUse(Conflict):
    neutron_type = "NetworkInUse"

    def __init__(self, network_id: str) -> None:
        super().__init__(
            f"Unable to complete operation on network {network_id}. "
            "There are one or more ports still in use on the network."
        )


class SubnetInUse(Conflict):
    neutron_type = "SubnetInUse"

    def __init__(self, subnet_id: str) -> None:
        super().__init__(
            f"Unable to complete operation on subnet {subnet_id}: "
            "One or more ports have an IP allocation from this subnet."
        )


class PortInUse(Conflict):
    neutron_type = "PortInUse"

    def __init__(self, port_id: str, device_id: str) -> None:
        super().__init__(f"Port {port_id} is bound to server {device_id}; only an admin may delete it.")


class OverQuota(Conflict):
    neutron_type = "OverQuota"

    def __init__(self, resource: str) -> None:
        super().__init__(f"Quota exceeded for resources: ['{resource}'].")


class IpAddressAlreadyAllocated(Conflict):
    neutron_type = "IpAddressAlreadyAllocated"


class IpAddressGenerationFailure(Conflict):
    neutron_type = "IpAddressGenerationFailure"


class MacAddressInUse(Conflict):
    neutron_type = "MacAddressInUse"


class GatewayConflictWithAllocationPools(Conflict):
    neutron_type = "GatewayConflictWithAllocationPools"
