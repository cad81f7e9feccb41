"""Hosts: aggregates (and through them availability zones), services, hypervisors
(compute nodes) and the resource allocations held against them.

The rules a row must satisfy live in the models' ``clean()`` (Django's ValidationError), so
the API (through hosts.services) and the Django admin refuse the same things in the same
words."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from servers.models import Server

#: The metadata key that makes an aggregate an availability zone.
ZONE_KEY = "availability_zone"
#: Nova's limit on names, zone names, metadata keys and values, and disabled reasons.
MAX_NAME = 255


def validate_name(value: object, what: str = "name") -> None:
    """A 1-255 character string that is not only whitespace (Nova's name rule)."""
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_NAME or "\x00" in value:
        raise ValidationError(
            f"Invalid input for field/attribute {what}. Value: {value!r}. "
            f"It must be a non-blank string of at most {MAX_NAME} characters."
        )


def validate_zone_name(value: object) -> None:
    """An aggregate's availability zone: a name. As in Nova, any name will do, the internal
    zone of the control services included."""
    validate_name(value, ZONE_KEY)


def validate_metadata(metadata: object) -> None:
    """Aggregate metadata: keys of 1-255 characters; values strings of at most 255 characters
    (or null, which in a set_metadata request deletes the key)."""
    if not isinstance(metadata, dict):
        raise ValidationError("Invalid input for field/attribute metadata: it must be an object.")
    for key, value in metadata.items():
        if not key or len(key) > MAX_NAME or "\x00" in key:
            raise ValidationError(f"Invalid metadata key {key!r}: it must have 1 to {MAX_NAME} characters.")
        if value is not None and (not isinstance(value, str) or len(value) > MAX_NAME or "\x00" in value):
            raise ValidationError(
                f"Invalid value for metadata key {key!r}: a string of at most {MAX_NAME} characters or null."
            )


def zone_clash(aggregate: Aggregate, hosts: Iterable[str], zone: str | None) -> tuple[str, str | None] | None:
    """A (host, zone) among `hosts` that another of their aggregates puts in a zone other than
    `zone`: making them members of `aggregate` in `zone` would put that host in two zones."""
    hosts = list(hosts)
    if zone is None or not hosts:
        return None
    others = AggregateHost.objects.filter(host__in=hosts, aggregate__availability_zone__isnull=False)
    if aggregate.pk is not None:
        others = others.exclude(aggregate=aggregate)
    found: tuple[str, str | None] | None = (
        others.exclude(aggregate__availability_zone=zone).values_list("host", "aggregate__availability_zone").first()
    )
    return found


def validate_zone_for_hosts(aggregate: Aggregate, hosts: Iterable[str], zone: str | None) -> None:
    """Refuse a zone for `hosts` (as members of `aggregate`) that would put one in two zones."""
    clash = zone_clash(aggregate, hosts, zone)
    if clash is not None:
        raise ValidationError(
            f"Cannot put host {clash[0]} in availability zone {zone} with aggregate "
            f"{aggregate.name}: it is already in availability zone {clash[1]} through another aggregate."
        )


def host_is_known(host: str) -> bool:
    """A host exists when it runs a nova-compute service or has a compute node."""
    return (
        Service.objects.filter(host=host, binary="nova-compute").exists()
        or ComputeNode.objects.filter(host=host).exists()
    )


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

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.availability_zone = self.zone_in_metadata
        super().save(*args, **kwargs)

    @property
    def zone_in_metadata(self) -> str | None:
        """The zone the metadata names (None: no zone); `availability_zone` keeps the stored one
        until `save`."""
        return (self.metadata or {}).get(ZONE_KEY) or None

    def clean(self) -> None:
        """Nova's aggregate rules: a valid name and metadata, a zone that puts none of the
        members in two zones, and that does not change under servers (their zone would
        silently change with it: Nova answers 400)."""
        validate_name(self.name)
        if isinstance(self.metadata, dict) and ZONE_KEY in self.metadata:
            validate_zone_name(self.metadata[ZONE_KEY])
        validate_metadata(self.metadata)
        zone = self.zone_in_metadata
        if self.pk is None or zone == self.availability_zone:
            return
        hosts = list(self.hosts.values_list("host", flat=True))
        validate_zone_for_hosts(self, hosts, zone)
        if hosts and Server.objects.filter(host__in=hosts, deleted=False).exists():
            raise ValidationError(
                f"Cannot update the availability zone of aggregate {self.name}: "
                "one or more of its hosts contain instances in this zone."
            )


class AggregateHost(models.Model):
    """Membership of a host (by name, as in Nova) in an aggregate."""

    aggregate = models.ForeignKey(Aggregate, on_delete=models.CASCADE, related_name="hosts")
    host = models.CharField(max_length=255, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["aggregate", "host"], name="aggregate_host_unique")]

    def __str__(self) -> str:
        return f"{self.host} in {self.aggregate}"

    def clean(self) -> None:
        """A member is a known compute host, and joining must not put it in two zones."""
        validate_name(self.host, "host")
        if not host_is_known(self.host):
            raise ValidationError(f"Compute host {self.host} could not be found.")
        aggregate = self.aggregate
        validate_zone_for_hosts(aggregate, [self.host], aggregate.zone_in_metadata)


class Service(models.Model):
    """A running control-plane or compute process. Up or down is derived from the last
    heartbeat (see hosts.heartbeats.is_up); `forced_down` marks it down at once (fencing)."""

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

    def clean(self) -> None:
        """A disabled reason, when given, is a name (1-255 characters, not blank)."""
        if self.disabled_reason is not None:
            validate_name(self.disabled_reason, "disabled_reason")


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
    # The canonical architecture cpu_info reports (hosts.cpu_arch.arch_of), mirrored with
    # every report so that the scheduler filters on it in SQL ("": none reported). Indexed
    # (Meta): for an architecture no host has, the planner then knows at once that nothing
    # matches, rather than walking every host in the weigher's order to find out.
    cpu_arch = models.CharField(max_length=32, blank=True, default="", editable=False)
    # How other hosts' hypervisors reach this one for live migration (a libvirt URI).
    migration_uri = models.CharField(max_length=255, blank=True, default="")
    # What the host's hypervisor driver can do (workers/virt capabilities), as reported.
    capabilities = models.JSONField(default=dict, blank=True)
    # The host's `uptime` line as its compute worker last reported it ("": never reported).
    uptime = models.TextField(blank=True, default="")
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
        indexes = [models.Index(fields=["cpu_arch"], name="hosts_computenode_cpu_arch")]

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
