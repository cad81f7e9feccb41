"""Choosing and claiming a destination for a move (resize, migration, evacuation)."""

from __future__ import annotations

from hosts.models import ComputeNode
from scheduling import claims
from scheduling.request import RequestSpec
from scheduling.scheduler import NoValidHost, select_destinations
from servers.models import Server
from servers.services.volume_backed import is_volume_backed


def server_resources(server: Server, flavor: dict) -> claims.Resources:
    """What the server asks of a host with `flavor`: no root disk when it is volume-backed.
    Every claim for an existing server (reschedule, moves, unshelve) uses this."""
    return claims.Resources.from_flavor(flavor, is_bfv=is_volume_backed(server))


def server_spec(server: Server, flavor: dict, *, ignore_hosts: list[str] | None = None) -> RequestSpec:
    """The placement request for moving or unshelving one existing server with `flavor`."""
    return RequestSpec(
        instance_uuids=[str(server.uuid)],
        project_id=server.project_id,
        user_id=server.user_id,
        flavor=flavor,
        availability_zone=server.requested_availability_zone,
        ignore_hosts=ignore_hosts or [],
        image={"id": server.image_ref},
        scheduler_hints=server.scheduler_hints,
        is_bfv=is_volume_backed(server),
    )


def claim_destination(
    server: Server, flavor: dict, *, requested_host: str | None, avoid: str | None
) -> tuple[str, str]:
    """Claim `flavor` for the server on the requested host (checked for room by the claim
    itself), or on the scheduler's choice among the hosts other than `avoid` (the source;
    None: any host). Raises NoValidHost."""
    if requested_host:
        node = ComputeNode.objects.filter(host=requested_host).first()
        res = server_resources(server, flavor)
        if node is None or not claims.claim(
            node.pk, str(server.uuid), res, project_id=server.project_id, user_id=server.user_id
        ):
            raise NoValidHost(f"No valid host was found. Host {requested_host} cannot take the server.")
        return node.host, node.hypervisor_hostname
    spec = server_spec(server, flavor, ignore_hosts=[avoid] if avoid else [])
    [selection] = select_destinations(spec)
    return selection.host, selection.node


def hypervisor_type(host: str | None) -> str:
    return ComputeNode.objects.filter(host=host).values_list("hypervisor_type", flat=True).first() or ""


def migration_uri(host: str | None) -> str:
    return ComputeNode.objects.filter(host=host).values_list("migration_uri", flat=True).first() or ""
