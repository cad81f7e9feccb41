"""The audit of the books: allocations, servers, ports and volumes (see the package's
docstring for what each finding means and how it is healed)."""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict

from django.db import transaction
from django.db.models import Exists, OuterRef

from core.exceptions import Conflict
from hosts.models import Allocation, ComputeNode
from networks import ipam
from networks.models import Port
from scheduling import claims
from servers.models import Server, VolumeAttachment
from servers.states import VmState
from volumes import store as volume_store
from volumes.models import Volume

from ..attachments import release_volumes
from ..placement import server_resources
from .findings import (
    ALLOCATION_WITHOUT_CONSUMER,
    PORT_OF_GONE_SERVER,
    SERVER_WITHOUT_ALLOCATION,
    VOLUME_OF_GONE_SERVER,
    AuditReport,
    Finding,
    live_servers,
    moves_holding,
)

log = logging.getLogger(__name__)


# --- allocations ---------------------------------------------------------------------------


def allocations_without_consumer(report: AuditReport) -> None:
    """Allocations whose consumer is no live server and no move in flight; heal: release."""
    report.checked["allocations"] = Allocation.objects.count()
    orphans = (
        Allocation.objects.exclude(consumer__in=live_servers().values("uuid"))
        .exclude(consumer__in=moves_holding().values("uuid"))
        .select_related("compute_node")
        .order_by("id")
    )
    for allocation in orphans:
        host = allocation.compute_node.host
        held = f"VCPU={allocation.vcpus}, MEMORY_MB={allocation.memory_mb}, DISK_GB={allocation.disk_gb}"
        finding = Finding(
            ALLOCATION_WITHOUT_CONSUMER,
            str(allocation.consumer),
            f"Allocations for consumer UUID {allocation.consumer} on host {host} ({held}) belong to no server "
            "and no migration in progress",
        )
        report.findings.append(finding)
        if report.heal:
            with transaction.atomic():
                # Still an orphan under the lock? (a move may have just taken it over)
                still = orphans.select_for_update(of=("self",)).filter(pk=allocation.pk).exists()
                finding.healed = still and claims.release(str(allocation.consumer), host=host) > 0
            finding.outcome = "deleted" if finding.healed else "not deleted: it has an owner now"
        else:
            finding.outcome = "can be deleted"


# --- servers -------------------------------------------------------------------------------


def _holds_on_host(server: Server) -> bool:
    """Whether the server, or a move of its own in flight, holds anything on its host."""
    consumers = [server.uuid, *moves_holding().filter(server=server).values_list("uuid", flat=True)]
    return Allocation.objects.filter(consumer__in=consumers, compute_node__host=server.host).exists()


def servers_without_allocation(report: AuditReport) -> None:
    """Live servers on a host holding nothing there; heal: claim their flavor there again."""
    placed = (
        live_servers()
        .exclude(host=None)
        .exclude(host="")
        .exclude(vm_state=VmState.SHELVED_OFFLOADED)
        # A build that failed holds nothing, truthfully (conductor.build.fail_build).
        .exclude(vm_state=VmState.ERROR, launched_at=None)
    )
    report.checked["servers"] = placed.count()
    own = Allocation.objects.filter(consumer=OuterRef("uuid"), compute_node__host=OuterRef("host"))
    suspects = placed.annotate(held=Exists(own)).filter(held=False).order_by("id")
    for server in suspects:
        if _holds_on_host(server):
            continue  # a move holds its source under the migration's uuid
        finding = Finding(
            SERVER_WITHOUT_ALLOCATION,
            str(server.uuid),
            f"Server {server.uuid} ({server.vm_state}) on host {server.host} holds no allocation there",
        )
        report.findings.append(finding)
        if not report.heal:
            finding.outcome = "can be claimed again"
            continue
        node = ComputeNode.objects.filter(host=server.host).first()
        if node is None:
            finding.outcome = "not healed: the host has no compute node"
            continue
        res = server_resources(server, server.flavor)
        finding.healed = claims.claim(
            node.id, str(server.uuid), res, project_id=server.project_id, user_id=server.user_id
        )
        finding.outcome = (
            f"claimed VCPU={res.vcpus}, MEMORY_MB={res.memory_mb}, DISK_GB={res.disk_gb}"
            if finding.healed
            else "not healed: the host has no room for its flavor (a claim never over-commits); migrate or delete it"
        )


# --- ports ---------------------------------------------------------------------------------


def _as_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _gone(server_ids: set[str]) -> tuple[set[str], dict[str, Server]]:
    """Of these server ids, those that are no live server, and the rows of the deleted ones."""
    known = {str(u): u for s in server_ids if (u := _as_uuid(s)) is not None}
    live = {str(u) for u in live_servers().filter(uuid__in=known.values()).values_list("uuid", flat=True)}
    deleted = {str(s.uuid): s for s in Server.objects.filter(uuid__in=known.values(), deleted=True)}
    return {s for s in server_ids if _canonical(s) not in live}, deleted


def _canonical(value: str) -> str:
    found = _as_uuid(value)
    return str(found) if found is not None else value


def ports_of_gone_servers(report: AuditReport) -> None:
    """Ports of compute devices whose server is deleted or unknown; heal: release them."""
    bound = list(
        Port.objects.filter(device_owner__startswith="compute:").exclude(device_id="").values_list("id", "device_id")
    )
    report.checked["ports"] = len(bound)
    gone, deleted = _gone({device for _, device in bound})
    by_server: dict[str, list[str]] = defaultdict(list)
    for port_id, device in bound:
        if device in gone:
            by_server[device].append(str(port_id))
    for device, port_ids in sorted(by_server.items()):
        server = deleted.get(_canonical(device))
        state = "is deleted" if server is not None else "does not exist"
        # Without a server row nobody knows which ports were made for it: unbind them all.
        requested = server.requested_networks if server is not None else [{"port": p} for p in port_ids]
        passed_in = {entry["port"] for entry in requested if "port" in entry}
        findings = [
            Finding(PORT_OF_GONE_SERVER, port_id, f"Port {port_id} is bound to server {device}, which {state}")
            for port_id in port_ids
        ]
        report.findings.extend(findings)
        if report.heal:
            ipam.release_ports_of_server(device, requested)
        for finding in findings:
            user_port = finding.subject in passed_in
            if report.heal:
                finding.healed = True
                finding.outcome = "unbound" if user_port else "deleted"
            else:
                finding.outcome = "can be unbound" if user_port else "can be deleted (made for the server)"


# --- volumes -------------------------------------------------------------------------------


def volumes_of_gone_servers(report: AuditReport) -> None:
    """Volumes held by, and attachment rows of, servers that are deleted or unknown; heal:
    release them as the delete workflow does."""
    held = Volume.objects.filter(status__in=Volume.ATTACHED).exclude(attached_server_uuid=None)
    report.checked["volumes"] = held.count()
    stranded = list(held.exclude(attached_server_uuid__in=live_servers().values("uuid")).order_by("id"))
    rows = VolumeAttachment.objects.filter(server__deleted=True).select_related("server").order_by("id")
    pairs: dict[tuple[str, str], str] = {}
    servers: dict[str, Server] = {}
    for row in rows:
        servers[str(row.server.uuid)] = row.server
        pairs[(str(row.volume_id), str(row.server.uuid))] = "still has an attachment row"
    for volume in stranded:
        pairs[(str(volume.id), str(volume.attached_server_uuid))] = f"is {volume.status}"
    deleted = {str(s.uuid) for s in Server.objects.filter(uuid__in=[v.attached_server_uuid for v in stranded])}
    findings = []
    for (volume_id, server_uuid), how in sorted(pairs.items()):
        state = "is deleted" if server_uuid in servers or server_uuid in deleted else "does not exist"
        finding = Finding(
            VOLUME_OF_GONE_SERVER, volume_id, f"Volume {volume_id} {how} by server {server_uuid}, which {state}"
        )
        finding.outcome = "can be released"
        findings.append(finding)
    report.findings.extend(findings)
    if not report.heal:
        return
    with transaction.atomic():
        for server in servers.values():
            release_volumes(server)  # available again (or deleted: delete_on_termination)
    for volume in stranded:
        try:
            volume_store.mark_available(volume, volume.attached_server_uuid)
        except Conflict as exc:  # changed meanwhile: the new state stands
            log.info("audit: volume %s left as it is: %s", volume.id, exc)
    for finding in findings:
        now = Volume.objects.filter(id=finding.subject).values_list("status", flat=True).first()
        still = VolumeAttachment.objects.filter(volume_id=finding.subject, server__deleted=True).exists()
        finding.healed = not still and now not in Volume.ATTACHED
        finding.outcome = (
            ("available again" if now == "available" else f"released ({now or 'deleted: delete_on_termination'})")
            if finding.healed
            else f"not released: it is {now}"
        )
