"""Hosts: regions, aggregates (and through them availability zones), services, hypervisors
(compute nodes) and the resource allocations held against them."""

from __future__ import annotations

import uuid

from django.db import models


class Region(models.Model):
    """A region of the cloud; the service catalog names it (RegionOne by default)."""

    id = models.CharField(primary_key=True, max_length=255)
    description = models.TextField(blank=True, default="")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL)

    def __str__(self) -> str:
        return self.id


class Aggregate(models.Model):
    """A named group of hosts with metadata. The metadata key `availability_zone` makes the
    aggregate an availability zone; it is mirrored into an indexed column for the scheduler's
    SQL prefilter and must only be changed through `metadata` (see `save`)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=255, unique=True)
    metadata = models.JSONField(default=dict, blank=True)
    availability_zone = models.CharField(max_length=255, null=True, blank=True, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.availability_zone = (self.metadata or {}).get("availability_zone") or None
        super().save(*args, **kwargs)


class AggregateHost(models.Model):
    """Membership of a host (by name, as in Nova) in an aggregate."""

    aggregate = models.ForeignKey(Aggregate, on_delete=models.CASCADE, related_name="hosts")
    host = models.CharField(max_length=255, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["aggregate", "host"], name="aggregate_host_unique")]

    def __str__(self) -> str:
        return f"{self.host} in {self.aggregate}"


class Service(models.Model):
    """A running control-plane or compute process. Up or down is derived from the last
    heartbeat (see hosts.services.is_up); `forced_down` marks it down at once (fencing)."""

    BINARIES = ("nova-compute", "nova-conductor", "nova-scheduler")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    host = models.CharField(max_length=255)
    binary = models.CharField(max_length=255)
    topic = models.CharField(max_length=255, blank=True, default="")
    disabled = models.BooleanField(default=False)
    disabled_reason = models.CharField(max_length=255, null=True, blank=True)
    forced_down = models.BooleanField(default=False)
    last_seen_up = models.DateTimeField(null=True, blank=True)
    report_count = models.IntegerField(default=0)
    version = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["host", "binary"], name="service_host_binary_unique")]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.binary} on {self.host}"


class ComputeNode(models.Model):
    """A hypervisor: its totals as the compute worker reports them, and the resources claimed
    against it. Invariant: for each resource, used <= total * effective ratio - reserved (the
    effective ratio is an aggregate's override when there is one, else the host's own); only
    scheduling.claims changes the *_used columns, always by a conditional UPDATE."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    host = models.CharField(max_length=255, unique=True)
    service = models.OneToOneField(Service, null=True, on_delete=models.SET_NULL, related_name="compute_node")
    hypervisor_hostname = models.CharField(max_length=255)
    hypervisor_type = models.CharField(max_length=64, default="QEMU")
    hypervisor_version = models.BigIntegerField(default=0)
    host_ip = models.GenericIPAddressField(default="127.0.0.1")
    cpu_info = models.TextField(blank=True, default="")
    # How other hosts' hypervisors reach this one for live migration (a libvirt URI).
    migration_uri = models.CharField(max_length=255, blank=True, default="")
    # What the host's hypervisor driver can do (workers/virt capabilities), as reported.
    capabilities = models.JSONField(default=dict, blank=True)
    vcpus = models.IntegerField(default=0)
    memory_mb = models.IntegerField(default=0)
    local_gb = models.IntegerField(default=0)
    vcpus_used = models.IntegerField(default=0)
    memory_mb_used = models.IntegerField(default=0)
    local_gb_used = models.IntegerField(default=0)
    running_vms = models.IntegerField(default=0)
    cpu_allocation_ratio = models.FloatField()
    ram_allocation_ratio = models.FloatField()
    disk_allocation_ratio = models.FloatField()
    reserved_host_cpus = models.IntegerField(default=0)
    reserved_host_memory_mb = models.IntegerField(default=0)
    reserved_host_disk_mb = models.IntegerField(default=0)
    # Mirrors of the host's aggregates, kept current by scheduling.aggregates (model signals on
    # Aggregate, AggregateHost and ComputeNode) so that the scheduler's candidate query and the
    # claim need no join: the zone (None: the default zone, as in hosts.zones) and the
    # allocation ratios that aggregate metadata imposes (the minimum over the host's
    # aggregates; None: the host's own ratio above applies).
    availability_zone = models.CharField(max_length=255, null=True, blank=True, db_index=True, editable=False)
    aggregate_cpu_allocation_ratio = models.FloatField(null=True, blank=True, editable=False)
    aggregate_ram_allocation_ratio = models.FloatField(null=True, blank=True, editable=False)
    aggregate_disk_allocation_ratio = models.FloatField(null=True, blank=True, editable=False)
    # Builds that failed on this host since its last successful one (scheduling.stats), for
    # the BuildFailureWeigher.
    failed_builds = models.IntegerField(default=0, editable=False)
    last_build_failure_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        # Expression indexes on the free vCPUs, RAM and disk (scheduling.capacity), overall and
        # per zone, are created in SQL by migration 0003: the scheduler walks them to find its
        # best candidates without reading every host.

    def __str__(self) -> str:
        return self.hypervisor_hostname

    @property
    def effective_cpu_allocation_ratio(self) -> float:
        """The ratio claims enforce: an aggregate's override, else the host's own."""
        return (
            self.aggregate_cpu_allocation_ratio
            if self.aggregate_cpu_allocation_ratio is not None
            else self.cpu_allocation_ratio
        )

    @property
    def effective_ram_allocation_ratio(self) -> float:
        return (
            self.aggregate_ram_allocation_ratio
            if self.aggregate_ram_allocation_ratio is not None
            else self.ram_allocation_ratio
        )

    @property
    def effective_disk_allocation_ratio(self) -> float:
        return (
            self.aggregate_disk_allocation_ratio
            if self.aggregate_disk_allocation_ratio is not None
            else self.disk_allocation_ratio
        )

    @property
    def vcpus_capacity(self) -> float:
        return self.vcpus * self.effective_cpu_allocation_ratio - self.reserved_host_cpus

    @property
    def memory_mb_capacity(self) -> float:
        return self.memory_mb * self.effective_ram_allocation_ratio - self.reserved_host_memory_mb

    @property
    def local_gb_capacity(self) -> float:
        return self.local_gb * self.effective_disk_allocation_ratio - self.reserved_host_disk_mb / 1024


class Allocation(models.Model):
    """Resources held by a consumer (a server's uuid, or a migration's uuid while a move is in
    flight) on one compute node."""

    consumer = models.UUIDField(db_index=True)
    compute_node = models.ForeignKey(ComputeNode, on_delete=models.PROTECT, related_name="allocations")
    vcpus = models.IntegerField()
    memory_mb = models.IntegerField()
    disk_gb = models.IntegerField()
    project_id = models.CharField(max_length=64)
    user_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["consumer", "compute_node"], name="allocation_unique")]

    def __str__(self) -> str:
        return f"{self.consumer} on {self.compute_node_id}"
