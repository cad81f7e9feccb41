"""Networks (a Neutron v2.0 subset): networks, IPv4 subnets and ports."""

from __future__ import annotations

import uuid

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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"port {self.id} ({self.mac_address})"


class NetworkQuota(models.Model):
    """A project's Neutron quota overrides; resources it does not name use the defaults
    (networks.quotas.DEFAULTS). No row means every default applies."""

    project_id = models.CharField(primary_key=True, max_length=64)
    limits = models.JSONField(default=dict, blank=True, help_text='{"network": 10, "port": -1, ...}; -1 is unlimited')
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"network quota of {self.project_id}"
