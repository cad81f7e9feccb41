"""Choosing and claiming a destination for a move (resize, migration, evacuation)."""

from __future__ import annotations

from hosts.models import ComputeNode
from scheduling import claims
from scheduling.request import RequestSpec
from scheduling.scheduler import NoValidHost, select_destinations
from servers.models import Server


def claim_destination(
    server: Server, flavor: dict, *, requested_host: str | None, avoid: str | None
) -> tuple[str, str]:
    """Claim `flavor` for the server on the requested host (checked for room by the claim
    itself), or on the scheduler's choice among the hosts other than `avoid` (the source;
    None: any host). Raises NoValidHost."""
    if requested_host:
        node = ComputeNode.objects.filter(host=requested_host).first()
        res = claims.Resources.from_flavor(flavor)
        if node is None or not claims.claim(
            node.pk, str(server.uuid), res, project_id=server.project_id, user_id=server.user_id
        ):
            raise NoValidHost(f"No valid host was found. Host {requested_host} cannot take the server.")
        return node.host, node.hypervisor_hostname
    spec = RequestSpec(
        instance_uuids=[str(server.uuid)],
        project_id=server.project_id,
        user_id=server.user_id,
        flavor=flavor,
        availability_zone=server.requested_availability_zone,
        ignore_hosts=[avoid] if avoid else [],
        image={"id": server.image_ref},
        scheduler_hints=server.scheduler_hints,
    )
    [selection] = select_destinations(spec)
    return selection.host, selection.node


def hypervisor_type(host: str | None) -> str:
    return ComputeNode.objects.filter(host=host).values_list("hypervisor_type", flat=True).first() or ""


def migration_uri(host: str | None) -> str:
    return ComputeNode.objects.filter(host=host).values_list("migration_uri", flat=True).first() or ""
