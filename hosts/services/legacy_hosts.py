"""The deprecated os-hosts API's operations (nova/api/openstack/compute/hosts.py, HostAPI in
nova/compute/api.py), served until microversion 2.42: the hosts of the enabled services with
their zones, a compute host's resources and its use per project, and the host updates and
power actions, which the libvirt driver cannot do (Nova answers 501 for those it passes to
the driver). Every function enforces its os-hosts rule first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from core import policy
from core.exceptions import NotFound, NotSupported
from core.principal import Caller
from hosts.models import ComputeNode, Service
from hosts.zones import zone_of_service, zones_by_host
from servers.models import Server

#: The three power actions, each with its own rule.
PowerAction = Literal["startup", "shutdown", "reboot"]
POWER_RULES = {
    "startup": policy.HOSTS_START,
    "shutdown": policy.HOSTS_SHUTDOWN,
    "reboot": policy.HOSTS_REBOOT,
}
NOT_SUPPORTED = "The requested functionality is not supported."


@dataclass(frozen=True)
class HostEntry:
    """One enabled service, as GET /os-hosts lists it: its host, topic and zone."""

    host_name: str
    service: str
    zone: str


@dataclass(frozen=True)
class Usage:
    """One row of GET /os-hosts/{host}: what `project` holds on `host` ("(total)",
    "(used_now)" and "(used_max)" are the host's capacity, its claims and its servers' sum)."""

    host: str
    project: str
    cpu: int
    memory_mb: int
    disk_gb: int


def list_hosts(caller: Caller, zone: str | None = None) -> list[HostEntry]:
    """The host of every enabled service, with the service's topic and zone; only those in
    `zone` when one is given (an empty zone lists them all)."""
    policy.enforce(caller, policy.HOSTS_LIST)
    zones = zones_by_host()
    entries = [
        HostEntry(service.host, service.topic or service.binary.removeprefix("nova-"), zone_of_service(service, zones))
        for service in Service.objects.filter(disabled=False).order_by("id")
    ]
    return [entry for entry in entries if not zone or entry.zone == zone]


def _compute_service(host: str) -> Service:
    """The compute service of `host` (Nova maps only compute hosts to a cell): 404 without."""
    service = Service.objects.filter(host=host, binary="nova-compute").first()
    if service is None:
        raise NotFound(f"Compute host {host} could not be found.")
    return service


def _flavor_sum(servers: Iterable[Server]) -> tuple[int, int, int]:
    cpu = memory = disk = 0
    for server in servers:
        flavor = server.flavor or {}
        cpu += int(flavor.get("vcpus") or 0)
        memory += int(flavor.get("memory_mb") or 0)
        disk += int(flavor.get("root_gb") or 0) + int(flavor.get("ephemeral_gb") or 0)
    return cpu, memory, disk


def show_host(caller: Caller, host: str) -> list[Usage]:
    """A compute host's resources: its totals, what is claimed on it now, the sum of its
    servers' flavors, then that sum per project (404 for a host that is not a compute host
    with a hypervisor)."""
    policy.enforce(caller, policy.HOSTS_SHOW)
    _compute_service(host)
    node = ComputeNode.objects.filter(host=host).order_by("id").first()
    if node is None:
        raise NotFound(f"Compute host {host} could not be found.")
    servers = list(Server.objects.filter(host=host, deleted=False).order_by("created_at", "id"))
    rows = [
        Usage(host, "(total)", node.vcpus, node.memory_mb, node.local_gb),
        Usage(host, "(used_now)", node.vcpus_used, node.memory_mb_used, node.local_gb_used),
        Usage(host, "(used_max)", *_flavor_sum(servers)),
    ]
    projects: dict[str, list[Server]] = {}
    for server in servers:
        projects.setdefault(server.project_id, []).append(server)
    rows += [Usage(host, project, *_flavor_sum(owned)) for project, owned in projects.items()]
    return rows


def update_host(caller: Caller, host: str, *, enabled: bool | None, maintenance: bool | None) -> dict[str, str]:
    """PUT /os-hosts/{host}: the status the host now takes new servers with ("enabled" or
    "disabled": what Nova's compute answers for a driver that has no such switch, leaving the
    service record as it is; os-services changes that), and maintenance mode, which the libvirt
    driver cannot enter (501)."""
    policy.enforce(caller, policy.HOSTS_UPDATE)
    _compute_service(host)
    result: dict[str, str] = {}
    if enabled is not None:
        result["status"] = "enabled" if enabled else "disabled"
    if maintenance is not None:
        raise NotSupported(NOT_SUPPORTED)
    return result


def power_action(caller: Caller, host: str, action: PowerAction) -> None:
    """GET /os-hosts/{host}/startup, /shutdown, /reboot: the libvirt driver powers no host
    (501, as Nova answers for it) once the host is known to be a compute host (404)."""
    policy.enforce(caller, POWER_RULES[action])
    _compute_service(host)
    raise NotSupported(NOT_SUPPORTED)
