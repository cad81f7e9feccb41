"""Networks (a Neutron v2.0 subset): networks, IPv4 subnets, ports, security groups, routers
and floating IPs."""

from __future__ import annotations

import ipaddress
import uuid
from typing import Any

from django.db import models


class Network(models.Model):
    """An L2 network; `shared` networks are usable by every project."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=255, blank=True, default="", db_index=True)
    project_id = models.CharField(max_length=64)
    shared = models.BooleanField(default=False)
    external = models.BooleanField(default=False)
    admin_state_up = models.BooleanField(default=True)
    status = models.CharField(max_length=16, default="ACTIVE")
    mtu = models.IntegerField(default=1500)
    description = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["name", "id"], name="net_name_id_idx"),
            models.Index(fields=["project_id", "id"], name="net_project_id_idx"),
            models.Index(fields=["created_at", "id"], name="net_created_id_idx"),
        ]  # keyset paging: one per sort key (networks.api.paging)

    def __str__(self) -> str:
        return self.name or str(self.id)


class Subnet(models.Model):
    """An IPv4 range on a network; ports take their fixed IPs from its allocation pools."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="subnets")
    name = models.CharField(max_length=255, blank=True, default="")
    project_id = models.CharField(max_length=64)
    ip_version = models.IntegerField(default=4)
    cidr = models.CharField(max_length=64)
    gateway_ip = models.GenericIPAddressField(null=True, blank=True)
    allocation_pools = models.JSONField(default=list, blank=True)
    enable_dhcp = models.BooleanField(default=True)
    dns_nameservers = models.JSONField(default=list, blank=True)
    # IPAM's bookkeeping (networks.ipam), not attributes: no pool address below
    # ``ipam_floor`` is free, as far as the allocation that raised it knew; every freed address
    # lowers it and bumps ``ipam_epoch``, so a raise based on an older look is dropped.
    ipam_floor = models.BigIntegerField(default=0, editable=False)
    ipam_epoch = models.BigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["name", "id"], name="subnet_name_id_idx"),
            models.Index(fields=["project_id", "id"], name="subnet_project_id_idx"),
            models.Index(fields=["network", "id"], name="subnet_network_id_idx"),
            models.Index(fields=["created_at", "id"], name="subnet_created_id_idx"),
        ]  # keyset paging: one per sort key (networks.api.paging)

    def __str__(self) -> str:
        return f"{self.name or self.id} {self.cidr}"


class Port(models.Model):
    """A virtual NIC on a network, with a MAC and fixed IPs; `device_id` is the server uuid."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="ports")
    name = models.CharField(max_length=255, blank=True, default="")
    project_id = models.CharField(max_length=64)
    mac_address = models.CharField(max_length=17, unique=True)
    fixed_ips = models.JSONField(default=list, blank=True, help_text='[{"subnet_id": ..., "ip_address": ...}]')
    device_id = models.CharField(max_length=255, blank=True, default="", db_index=True)
    device_owner = models.CharField(max_length=255, blank=True, default="")
    status = models.CharField(max_length=16, default="DOWN")
    admin_state_up = models.BooleanField(default=True)
    security_groups: models.ManyToManyField[SecurityGroup, Any] = models.ManyToManyField(
        "SecurityGroup", blank=True, related_name="ports"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["name", "id"], name="port_name_id_idx"),
            models.Index(fields=["project_id", "id"], name="port_project_id_idx"),
            models.Index(fields=["network", "id"], name="port_network_id_idx"),
            models.Index(fields=["device_id", "id"], name="port_device_id_idx"),
            models.Index(fields=["created_at", "id"], name="port_created_id_idx"),
        ]  # keyset paging: one per sort key (networks.api.paging)

    def __str__(self) -> str:
        return f"port {self.id} ({self.mac_address})"


class IPAllocation(models.Model):
    """One address of a subnet held by a port (Neutron's ``ipallocations``). The UNIQUE
    (subnet, address) constraint is what keeps two ports from holding one address; IPAM
    (``networks.ipam``) finds the next free address through the same index. ``address`` is the
    IPv4 address as an integer, so SQL can order it and add one to it, on PostgreSQL and SQLite
    alike. The port's ``fixed_ips`` shows the same addresses and is written in the same
    transaction; a row goes with its port (or subnet)."""

    subnet = models.ForeignKey(Subnet, on_delete=models.CASCADE, related_name="allocations")
    port = models.ForeignKey(Port, on_delete=models.CASCADE, related_name="allocations")
    address = models.BigIntegerField()

    class Meta:
        ordering = ["subnet", "address"]
        # The port list's fixed_ips=ip_address=X filter looks an address up in every subnet.
        indexes = [models.Index(fields=["address"], name="ipalloc_address_idx")]
        constraints = [models.UniqueConstraint(fields=["subnet", "address"], name="one_port_per_subnet_address")]

    def __str__(self) -> str:
        return f"{ipaddress.IPv4Address(self.address)} of subnet {self.subnet_id}"


class NetworkQuota(models.Model):
    """A project's Neutron quota overrides; resources it does not name use the defaults
    (networks.quotas.DEFAULTS). No row means every default applies."""

    project_id = models.CharField(primary_key=True, max_length=64)
    limits = models.JSONField(default=dict, blank=True, help_text='{"network": 10, "port": -1, ...}; -1 is unlimited')
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"network quota of {self.project_id}"


class SecurityGroup(models.Model):
    """A named set of filtering rules that ports carry. Each project has one ``is_default``
    group, named "default", made on first use as Neutron does; a port made without groups
    gets it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=255, blank=True, default="", db_index=True)
    description = models.CharField(max_length=255, blank=True, default="")
    project_id = models.CharField(max_length=64, db_index=True)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["name", "id"], name="sg_name_id_idx"),
            models.Index(fields=["project_id", "id"], name="sg_project_id_idx"),
            models.Index(fields=["created_at", "id"], name="sg_created_id_idx"),
        ]  # keyset paging: one per sort key (networks.api.paging)
        constraints = [
            models.UniqueConstraint(
                fields=["project_id"], condition=models.Q(is_default=True), name="one_default_group_per_project"
            )
        ]

    def __str__(self) -> str:
        return f"security group {self.name or self.id}"


class SecurityGroupRule(models.Model):
    """One rule of a group: traffic in one direction, of one ethertype, optionally of one
    protocol and port range, from (or to) an address prefix or the members of a group. A rule
    naming a remote group goes when that group goes (as Neutron's foreign key cascades)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    security_group = models.ForeignKey(SecurityGroup, on_delete=models.CASCADE, related_name="rules")
    project_id = models.CharField(max_length=64, db_index=True)
    direction = models.CharField(max_length=7)
    ethertype = models.CharField(max_length=4, default="IPv4")
    protocol = models.CharField(max_length=40, null=True, blank=True)
    port_range_min = models.IntegerField(null=True, blank=True)
    port_range_max = models.IntegerField(null=True, blank=True)
    remote_ip_prefix = models.CharField(max_length=64, null=True, blank=True)
    remote_group = models.ForeignKey(
        SecurityGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="remote_rules"
    )
    description = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["project_id", "id"], name="sgr_project_id_idx"),
            models.Index(fields=["security_group", "id"], name="sgr_group_id_idx"),
            models.Index(fields=["created_at", "id"], name="sgr_created_id_idx"),
        ]  # keyset paging: one per sort key (networks.api.paging)

    def __str__(self) -> str:
        return f"{self.direction} {self.ethertype} {self.protocol or 'any'} rule of {self.security_group_id}"


class Router(models.Model):
    """A router (Neutron's L3 API: the records only, no packet forwarding). Its external
    gateway is a port on an external network (``gateway_port``, device_owner
    network:router_gateway); its interfaces are ports with device_owner
    network:router_interface and the router's id as device_id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=255, blank=True, default="", db_index=True)
    description = models.CharField(max_length=255, blank=True, default="")
    project_id = models.CharField(max_length=64, db_index=True)
    admin_state_up = models.BooleanField(default=True)
    status = models.CharField(max_length=16, default="ACTIVE")
    gateway_port = models.OneToOneField(
        Port, null=True, blank=True, on_delete=models.SET_NULL, related_name="gateway_of"
    )
    enable_snat = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["name", "id"], name="router_name_id_idx"),
            models.Index(fields=["project_id", "id"], name="router_project_id_idx"),
            models.Index(fields=["created_at", "id"], name="router_created_id_idx"),
        ]  # keyset paging: one per sort key (networks.api.paging)

    def __str__(self) -> str:
        return f"router {self.name or self.id}"


class FloatingIP(models.Model):
    """An address of an external network's subnet, held by a port of that network
    (``floating_port``, device_owner network:floatingip), optionally associated with a
    project's port reachable through a router. ``port`` is nulled when that port goes; the
    association (fixed address, router) counts only while ``port`` is set."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project_id = models.CharField(max_length=64, db_index=True)
    floating_network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="floating_ips")
    floating_port = models.OneToOneField(Port, on_delete=models.PROTECT, related_name="floating_ip_of")
    floating_ip_address = models.GenericIPAddressField()
    port = models.ForeignKey(Port, null=True, blank=True, on_delete=models.SET_NULL, related_name="floating_ips")
    fixed_ip_address = models.GenericIPAddressField(null=True, blank=True)
    router = models.ForeignKey(Router, null=True, blank=True, on_delete=models.SET_NULL, related_name="floating_ips")
    description = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["project_id", "id"], name="fip_project_id_idx"),
            models.Index(fields=["floating_ip_address", "id"], name="fip_address_id_idx"),
            models.Index(fields=["created_at", "id"], name="fip_created_id_idx"),
        ]  # keyset paging: one per sort key (networks.api.paging)

    def __str__(self) -> str:
        return f"floating IP {self.floating_ip_address}"
