""" "Why not host X for flavor F?": the one code path behind `manage.py explain_placement` and
the admin endpoint (scheduling.api). Reads only; claims nothing. It reveals hosts, their usage
and aggregate metadata, so it is for admins (policy.SCHEDULER_EXPLAIN)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from core import policy
from core.principal import Caller
from identity.models import Project
from servers.models import Flavor

from .context import Decision
from .explain import Verdict, verdicts
from .host_state import HostState
from .request import RequestSpec
from .scheduler import enabled_filters


class NotFound(LookupError):
    """The flavor or the host does not exist."""


@dataclass
class HostExplanation:
    """Every enabled filter's verdict on one host for one flavor."""

    spec: RequestSpec
    flavor: Flavor
    host: HostState
    verdicts: list[Verdict]

    @property
    def rejected_by(self) -> list[str]:
        """The filters that reject the host, in filter order."""
        return [v.name for v in self.verdicts if not v.passed]

    def to_dict(self) -> dict[str, Any]:
        """The explanation as the admin endpoint answers it."""
        res = self.spec.resources
        return {
            "host": self.host.host,
            "flavor": {
                "name": self.flavor.name,
                "id": self.flavor.flavorid,
                "vcpus": res.vcpus,
                "memory_mb": res.memory_mb,
                "disk_gb": res.disk_gb,
            },
            "availability_zone": self.spec.availability_zone,
            "project_id": self.spec.project_id or None,
            "accepted": not self.rejected_by,
            "rejected_by": self.rejected_by,
            "filters": [
                {"name": v.name, "passed": v.passed, "applies": v.applies, "reason": v.reason or None}
                for v in self.verdicts
            ],
        }


def project_id(value: str) -> str:
    """A project given by id or by name, as its id."""
    if not value:
        return ""
    found: str | None = Project.objects.filter(name=value).values_list("id", flat=True).first()
    return found or value


def why_not(
    caller: Caller,
    flavor: str,
    host: str,
    *,
    zone: str | None = None,
    project: str = "",
    image: str = "",
    group: str = "",
) -> HostExplanation:
    """Judge `host` for a server of `flavor` (name or id) as the scheduler would right now."""
    policy.enforce(caller, policy.SCHEDULER_EXPLAIN)
    found = Flavor.objects.filter(name=flavor).first() or Flavor.objects.filter(flavorid=flavor).first()
    if found is None:
        raise NotFound(f"flavor {flavor} not found")
    spec = RequestSpec(
        instance_uuids=[str(uuid.uuid4())],
        project_id=project_id(project),
        user_id="",
        flavor=found.snapshot(),
        availability_zone=zone or None,
        image={"id": image},
        scheduler_hints={"group": group} if group else {},
    )
    decision = Decision(spec)
    decision.load_group_members()
    state, judged = verdicts(decision, enabled_filters(), host)
    if state is None:
        raise NotFound(f"host {host} has no compute node")
    return HostExplanation(spec, found, state, judged)
