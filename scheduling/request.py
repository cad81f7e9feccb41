"""The request spec: everything the scheduler needs to place servers, as a plain dict in
messages and as this dataclass in code."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .claims import Resources


@dataclass
class RequestSpec:
    """Placement request for `instance_uuids` (one decision for a whole multi-create)."""

    instance_uuids: list[str]
    project_id: str
    user_id: str
    flavor: dict[str, Any]
    availability_zone: str | None = None
    ignore_hosts: list[str] = field(default_factory=list)
    image: dict[str, Any] = field(default_factory=dict)
    scheduler_hints: dict[str, Any] = field(default_factory=dict)
    #: A create's requested destination (2.74): only this host and/or hypervisor qualifies.
    requested_host: str | None = None
    requested_node: str | None = None
    #: Volume-backed (boot from volume): the root disk is a volume, so the host is not asked
    #: for the flavor's root_gb (Nova's RequestSpec.is_bfv).
    is_bfv: bool = False

    @property
    def resources(self) -> Resources:
        """What each instance asks of its host."""
        return Resources.from_flavor(self.flavor, is_bfv=self.is_bfv)

    def to_dict(self) -> dict[str, Any]:
        """The spec as a message carries it."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RequestSpec:
        """The spec a message carried."""
        return cls(**data)
