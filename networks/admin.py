"""Admin for networks, subnets, ports and network quota overrides, written as a Neutron client
would: each add is the POST, each change the PUT and each delete the DELETE of the network
API, through its own body readers (networks.api) and networks.services, so the admin refuses
an overlapping subnet, a gateway inside a pool, an address outside the subnet or a network
still in use in Neutron's words. What Neutron keeps read-only stays read-only (a subnet's
CIDR and pools, a port's MAC and addresses); bindings belong to the server workflows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from django.contrib import admin
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from core.principal import Caller
from novasite.admin_support import ServiceLayerAdmin

from .api.networks import network_fields
from .api.ports import port_fields, port_fixed_ips
from .api.quotas import new_limits
from .api.subnets import subnet_cidr, subnet_fields, subnet_pools
from .models import Network, NetworkQuota, Port, Subnet
from .services import networks, ports, quotas, subnets

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class SubnetCount(TypedDict):
    subnet_count: int


def request_body(form: Any, names: dict[str, str], *, changed_only: bool) -> dict[str, Any]:
    """The form's fields under their Neutron names (``names``: form field -> attribute): for a
    create the ones given (an empty one takes Neutron's default), for an update the changed
    ones (an emptied address is null)."""
    if changed_only:
        changed = [field for field in names if field in form.changed_data]
        return {names[field]: _null_address(field, form.cleaned_data.get(field)) for field in changed}
    return {
        attribute: form.cleaned_data[field]
        for field, attribute in names.items()
        if form.cleaned_data.get(field) not in (None, "")
    }


def _null_address(field: str, value: object) -> object:
    return None if field == "gateway_ip" and not value else value


def project_of(form: Any) -> str | None:
    """The project a create names (None: the operator names none)."""
    return form.cleaned_data.get("project_id") or None


NETWORK_ATTRIBUTES = {
    "name": "name",
    "description": "description",
    "admin_state_up": "admin_state_up",
    "shared": "shared",
    "external": "router:external",
    "mtu": "mtu",
}


@admin.register(Network)
class NetworkAdmin(ServiceLayerAdmin[Network]):
    service = "/network"
    list_display = (
        "name",
        "id",
        "project_id",
        "shared",
        "external",
        "admin_state_up",
        "status",
        "mtu",
        "subnet_count",
    )
    list_filter = ("shared", "external", "admin_state_up", "status")
    search_fields = ("name", "=id", "project_id", "description")
    ordering = ("name", "id")

    def get_readonly_fields(self, request: HttpRequest, obj: Network | None = None) -> tuple[str, ...]:
        return ("id", "project_id", "status", "created_at", "updated_at") if obj else ("id", "status")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Network]:
        return super().get_queryset(request).annotate(subnet_count=Count("subnets"))

    @admin.display(description="subnets", ordering="subnet_count")
    def subnet_count(self, obj: WithAnnotations[Network, SubnetCount]) -> int:
        return obj.subnet_count

    def service_create(self, caller: Caller, form: Any) -> Network:
        fields = network_fields(request_body(form, NETWORK_ATTRIBUTES, changed_only=False))
        return networks.create_network(caller, fields, project_id=project_of(form))

    def service_update(self, caller: Caller, obj: Network, form: Any) -> Network:
        fields = network_fields(request_body(form, NETWORK_ATTRIBUTES, changed_only=True))
        return networks.update_network(caller, str(obj.pk), fields)

    def service_delete(self, caller: Caller, obj: Network) -> None:
        networks.delete_network(caller, str(obj.pk))


SUBNET_ATTRIBUTES = {
    "name": "name",
    "enable_dhcp": "enable_dhcp",
    "dns_nameservers": "dns_nameservers",
    "gateway_ip": "gateway_ip",
}


@admin.register(Subnet)
class SubnetAdmin(ServiceLayerAdmin[Subnet]):
    """An IPv4 subnet: its CIDR and pools are fixed once made (as in Neutron)."""

    service = "/network"
    list_display = ("name", "id", "network", "cidr", "gateway_ip", "enable_dhcp", "project_id")
    list_filter = ("enable_dhcp", "ip_version")
    list_select_related = ("network",)
    search_fields = ("name", "=id", "cidr", "network__name", "project_id")
    ordering = ("network__name", "cidr")

    def get_readonly_fields(self, request: HttpRequest, obj: Subnet | None = None) -> tuple[str, ...]:
        fixed = ("network", "project_id", "cidr", "allocation_pools") if obj else ()
        return (*fixed, "id", "ip_version", "created_at", "updated_at")

    def service_create(self, caller: Caller, form: Any) -> Subnet:
        data = form.cleaned_data
        body = request_body(form, SUBNET_ATTRIBUTES, changed_only=False)
        body.update(cidr=data.get("cidr"), allocation_pools=data.get("allocation_pools") or None)
        return subnets.create_subnet(
            caller,
            str(data["network"].pk),
            subnet_cidr(body),
            subnet_fields(body),
            allocation_pools=subnet_pools(body),
            project_id=project_of(form),
        )

    def service_update(self, caller: Caller, obj: Subnet, form: Any) -> Subnet:
        body = request_body(form, SUBNET_ATTRIBUTES, changed_only=True)
        return subnets.update_subnet(caller, str(obj.pk), subnet_fields(body))

    def service_delete(self, caller: Caller, obj: Subnet) -> None:
        subnets.delete_subnet(caller, str(obj.pk))


@admin.register(Port)
class PortAdmin(ServiceLayerAdmin[Port]):
    """A port gets its MAC and (unless fixed IPs are asked for) an address from IPAM on
    create; its binding (device) is the server workflows'."""

    service = "/network"
    list_display = (
        "id",
        "name",
        "network",
        "mac_address",
        "addresses",
        "device_id",
        "device_owner",
        "status",
        "admin_state_up",
    )
    list_filter = ("status", "admin_state_up", "device_owner")
    list_select_related = ("network",)
    search_fields = ("=id", "name", "mac_address", "device_id", "project_id", "network__name")
    ordering = ("-created_at", "id")

    def get_readonly_fields(self, request: HttpRequest, obj: Port | None = None) -> tuple[str, ...]:
        fixed = ("network", "project_id", "mac_address", "fixed_ips") if obj else ()
        # A new port gets its project's default group; groups change through the API.
        return (*fixed, "id", "device_id", "device_owner", "status", "security_groups", "created_at", "updated_at")

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """A new port's MAC is IPAM's to draw unless the operator chooses one."""
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "mac_address" and field is not None:
            field.required = False
        return field

    @admin.display(description="fixed IPs")
    def addresses(self, obj: Port) -> str:
        return ", ".join(ip.get("ip_address", "") for ip in obj.fixed_ips or [])

    def service_create(self, caller: Caller, form: Any) -> Port:
        """POST /ports; fixed IPs left empty mean one address from the first subnet."""
        data = form.cleaned_data
        body = request_body(form, {"name": "name", "admin_state_up": "admin_state_up"}, changed_only=False)
        if data.get("fixed_ips"):
            body["fixed_ips"] = data["fixed_ips"]
        return ports.create_port(
            caller,
            str(data["network"].pk),
            port_fields(body),
            fixed_ips=port_fixed_ips(body),
            mac_address=data.get("mac_address") or None,
            project_id=project_of(form),
        )

    def service_update(self, caller: Caller, obj: Port, form: Any) -> Port:
        body = request_body(form, {"name": "name", "admin_state_up": "admin_state_up"}, changed_only=True)
        return ports.update_port(caller, str(obj.pk), port_fields(body))

    def service_delete(self, caller: Caller, obj: Port) -> None:
        ports.delete_port(caller, str(obj.pk))


@admin.register(NetworkQuota)
class NetworkQuotaAdmin(ServiceLayerAdmin[NetworkQuota]):
    """Per-project Neutron quota overrides, set as PUT /network/v2.0/quotas/{project} with
    check_limit sets them (a limit below what the project uses is refused); a resource
    taken out of the overrides goes back to its default, and deleting the row all of them."""

    service = "/network"
    list_display = ("project_id", "limits", "updated_at")
    search_fields = ("=project_id",)
    ordering = ("project_id",)

    def get_readonly_fields(self, request: HttpRequest, obj: NetworkQuota | None = None) -> tuple[str, ...]:
        return ("project_id", "updated_at") if obj else ("updated_at",)

    def _store(self, caller: Caller, project_id: str, limits: object, *, replace: bool) -> NetworkQuota:
        checked = new_limits(limits if isinstance(limits, dict) else {})
        with transaction.atomic():
            if replace:
                quotas.reset(caller, project_id)
            quotas.update(caller, project_id, checked, check_limit=True)
        return NetworkQuota.objects.get(project_id=project_id)

    def service_create(self, caller: Caller, form: Any) -> NetworkQuota:
        return self._store(caller, form.cleaned_data["project_id"], form.cleaned_data.get("limits"), replace=False)

    def service_update(self, caller: Caller, obj: NetworkQuota, form: Any) -> NetworkQuota:
        removed = set(form.initial.get("limits") or {}) - set(obj.limits or {})
        return self._store(caller, obj.project_id, obj.limits, replace=bool(removed))

    def service_delete(self, caller: Caller, obj: NetworkQuota) -> None:
        quotas.reset(caller, obj.project_id)


from . import admin_ipam, admin_l3, admin_security  # noqa: E402, F401  (register the IPAM, L3 and security group admins)
