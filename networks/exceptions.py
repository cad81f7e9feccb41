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


# --- security groups (neutron_lib/exceptions/securitygroup.py) ---------------------------------


class SecurityGroupNotFound(NotFound):
    neutron_type = "SecurityGroupNotFound"

    def __init__(self, group_id: str) -> None:
        super().__init__(f"Security group {group_id} does not exist")


class SecurityGroupRuleNotFound(NotFound):
    neutron_type = "SecurityGroupRuleNotFound"

    def __init__(self, rule_id: str) -> None:
        super().__init__(f"Security group rule {rule_id} does not exist")


class SecurityGroupInUse(Conflict):
    neutron_type = "SecurityGroupInUse"

    def __init__(self, group_id: str) -> None:
        super().__init__(f"Security Group {group_id} in use.")


class SecurityGroupCannotRemoveDefault(Conflict):
    neutron_type = "SecurityGroupCannotRemoveDefault"

    def __init__(self) -> None:
        super().__init__("Insufficient rights for removing default security group.")


class SecurityGroupCannotUpdateDefault(Conflict):
    neutron_type = "SecurityGroupCannotUpdateDefault"

    def __init__(self) -> None:
        super().__init__("Updating default security group not allowed.")


class SecurityGroupDefaultAlreadyExists(Conflict):
    neutron_type = "SecurityGroupDefaultAlreadyExists"

    def __init__(self) -> None:
        super().__init__("Default security group already exists.")


class SecurityGroupRuleExists(Conflict):
    neutron_type = "SecurityGroupRuleExists"

    def __init__(self, rule_id: str) -> None:
        self.rule_id = rule_id
        super().__init__(f"Security group rule already exists. Rule id is {rule_id}.")


class SecurityGroupRuleInvalid(BadRequest):
    """A rule Neutron refuses; ``neutron_type`` names which check it failed."""

    def __init__(self, neutron_type: str, message: str) -> None:
        self.neutron_type = neutron_type
        super().__init__(message)


# --- routers and floating IPs (neutron_lib/exceptions/l3.py) ---------------------------------


class RouterNotFound(NotFound):
    neutron_type = "RouterNotFound"

    def __init__(self, router_id: str) -> None:
        super().__init__(f"Router {router_id} could not be found")


class RouterInUse(Conflict):
    neutron_type = "RouterInUse"

    def __init__(self, router_id: str, reason: str = "still has ports") -> None:
        super().__init__(f"Router {router_id} {reason}")


class RouterInterfaceNotFound(NotFound):
    neutron_type = "RouterInterfaceNotFound"

    def __init__(self, router_id: str, port_id: str) -> None:
        super().__init__(f"Router {router_id} does not have an interface with id {port_id}")


class RouterInterfaceNotFoundForSubnet(NotFound):
    neutron_type = "RouterInterfaceNotFoundForSubnet"

    def __init__(self, router_id: str, subnet_id: str) -> None:
        super().__init__(f"Router {router_id} has no interface on subnet {subnet_id}")


class RouterInterfaceInUseByFloatingIP(Conflict):
    neutron_type = "RouterInterfaceInUseByFloatingIP"

    def __init__(self, router_id: str, subnet_id: str) -> None:
        super().__init__(
            f"Router interface for subnet {subnet_id} on router {router_id} cannot be deleted, "
            "as it is required by one or more floating IPs."
        )


class RouterExternalGatewayInUseByFloatingIp(Conflict):
    neutron_type = "RouterExternalGatewayInUseByFloatingIp"

    def __init__(self, router_id: str, network_id: str) -> None:
        super().__init__(
            f"Gateway cannot be updated for router {router_id}, since a gateway to external network "
            f"{network_id} is required by one or more floating IPs."
        )


class L3PortInUse(Conflict):
    """A router's or a floating IP's own port, which only its owner may delete."""

    neutron_type = "L3PortInUse"

    def __init__(self, port_id: str, device_owner: str) -> None:
        super().__init__(
            f"Port {port_id} has owner {device_owner} and therefore cannot be deleted directly via the port API."
        )


class PortAlreadyAttached(Conflict):
    neutron_type = "PortInUse"

    def __init__(self, port_id: str, network_id: str, device_id: str) -> None:
        super().__init__(
            f"Unable to complete operation on port {port_id} for network {network_id}. "
            f"Port already has an attached device {device_id}."
        )


class FloatingIPNotFound(NotFound):
    neutron_type = "FloatingIPNotFound"

    def __init__(self, floatingip_id: str) -> None:
        super().__init__(f"Floating IP {floatingip_id} could not be found")


class ExternalGatewayForFloatingIPNotFound(NotFound):
    neutron_type = "ExternalGatewayForFloatingIPNotFound"

    def __init__(self, network_id: str, subnet_id: str, port_id: str) -> None:
        super().__init__(
            f"External network {network_id} is not reachable from subnet {subnet_id}.  "
            f"Therefore, cannot associate Port {port_id} with a Floating IP."
        )


class FloatingIPPortAlreadyAssociated(Conflict):
    neutron_type = "FloatingIPPortAlreadyAssociated"

    def __init__(self, address: str, fip_id: str, port_id: str, fixed_ip: str, network_id: str) -> None:
        super().__init__(
            f"Cannot associate floating IP {address} ({fip_id}) with port {port_id} using fixed IP {fixed_ip}, "
            f"as that fixed IP already has a floating IP on external network {network_id}."
        )


class L3BadRequest(BadRequest):
    """neutron_lib's BadRequest, as the L3 plugin raises it: "Bad router request: ..."."""

    neutron_type = "BadRequest"

    def __init__(self, resource: str, message: str) -> None:
        super().__init__(f"Bad {resource} request: {message}")
