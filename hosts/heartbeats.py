"""Service liveness and reports: the one home of the up/down rule and of heartbeats."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .cpu_arch import arch_of
from .models import ComputeNode, Service


def up_cutoff(now: datetime | None = None) -> datetime:
    """Services last seen before this instant are down."""
    return (now or timezone.now()) - timedelta(seconds=settings.SERVICE_DOWN_TIME)


def is_up(service: Service, now: datetime | None = None) -> bool:
    """Up when not forced down and heard from within service_down_time (Nova's db driver)."""
    if service.forced_down:
        return False
    last = service.last_seen_up or service.created_at
    return last is not None and last >= up_cutoff(now)


def up_condition(now: datetime | None = None) -> Q:
    """is_up() as a query condition on Service rows (the same rule, for counts and lists
    that must not read every row into Python)."""
    cutoff = up_cutoff(now)
    heard = Q(last_seen_up__gte=cutoff) | Q(last_seen_up__isnull=True, created_at__gte=cutoff)
    return Q(forced_down=False) & heard


#: What the operator's pages show of a service: down (not heard from, or forced down) before
#: disabled (up but taking no new servers) before up.
UP, DOWN, DISABLED = "up", "down", "disabled"
STATES = (UP, DOWN, DISABLED)


def service_state(service: Service, now: datetime | None = None) -> str:
    """up, down or disabled: a service that is down is down whether or not it is disabled."""
    if not is_up(service, now):
        return DOWN
    return DISABLED if service.disabled else UP


def state_conditions(now: datetime | None = None) -> dict[str, Q]:
    """service_state() as one query condition per state (they partition the rows)."""
    up = up_condition(now)
    return {UP: up & Q(disabled=False), DOWN: ~up, DISABLED: up & Q(disabled=True)}


def host_is_up(host: str, binary: str = "nova-compute") -> bool:
    """Whether `binary` on `host` has a Service record that is up."""
    service = Service.objects.filter(host=host, binary=binary).first()
    return service is not None and is_up(service)


def record_heartbeat(host: str, binary: str) -> Service:
    """Mark a service as seen now, creating it on its first report."""
    now = timezone.now()
    with transaction.atomic():
        service, created = Service.objects.get_or_create(
            host=host,
            binary=binary,
            defaults={"topic": binary.removeprefix("nova-"), "last_seen_up": now, "report_count": 1},
        )
        if not created:
            Service.objects.filter(pk=service.pk).update(
                last_seen_up=now,
                report_count=F("report_count") + 1,
                updated_at=now,
            )
            service.refresh_from_db()
    return service


def record_compute_report(host: str, resources: dict[str, Any]) -> ComputeNode:
    """A compute worker's periodic report: heartbeat plus the hypervisor's totals. Usage
    counters are left alone: only claims change them."""
    service = record_heartbeat(host, "nova-compute")
    totals = {
        "service": service,
        "hypervisor_hostname": resources.get("hypervisor_hostname") or host,
        "hypervisor_type": resources.get("hypervisor_type", "QEMU"),
        "hypervisor_version": resources.get("hypervisor_version", 0),
        "cpu_info": resources.get("cpu_info", ""),
        "cpu_arch": arch_of(resources.get("cpu_info")),
        "migration_uri": resources.get("libvirt_uri", ""),
        "capabilities": resources.get("capabilities", {}),
        "uptime": resources.get("uptime") or "",
        "vcpus": resources["vcpus"],
        "memory_mb": resources["memory_mb"],
        "local_gb": resources["disk_gb"],
    }
    if resources.get("host_ip"):
        totals["host_ip"] = resources["host_ip"]
    node, created = ComputeNode.objects.get_or_create(
        host=host,
        defaults={
            **totals,
            "cpu_allocation_ratio": settings.CPU_ALLOCATION_RATIO,
            "ram_allocation_ratio": settings.RAM_ALLOCATION_RATIO,
            "disk_allocation_ratio": settings.DISK_ALLOCATION_RATIO,
            "reserved_host_cpus": settings.RESERVED_HOST_CPUS,
            "reserved_host_memory_mb": settings.RESERVED_HOST_MEMORY_MB,
            "reserved_host_disk_mb": settings.RESERVED_HOST_DISK_MB,
        },
    )
    if not created:
        ComputeNode.objects.filter(pk=node.pk).update(**totals, updated_at=timezone.now())
        node.refresh_from_db()
    return node


def host_capabilities(host: str | None) -> dict[str, Any]:
    """The capabilities the host's compute worker last reported ({} when unknown)."""
    if not host:
        return {}
    return ComputeNode.objects.filter(host=host).values_list("capabilities", flat=True).first() or {}
