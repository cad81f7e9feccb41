"""ComputeCapabilitiesFilter: a flavor's extra specs scoped `capabilities:` (or unscoped keys
naming a host attribute) must match the host, e.g. `capabilities:hypervisor_type=s== QEMU`,
`capabilities:cpu_info:arch=x86_64`, `capabilities:vcpus=>= 16` (Nova's operators)."""

from __future__ import annotations

from scheduling.context import Decision
from scheduling.extra_specs_ops import match
from scheduling.host_state import COLUMNS, HostState

from .base import BaseFilter

SCOPE = "capabilities"
ATTRIBUTES = {name for name, _ in COLUMNS} | {"cpu_info"}


def requirements(extra_specs: dict[str, str]) -> list[tuple[list[str], str]]:
    """(attribute path, requirement) pairs this filter enforces."""
    wanted = []
    for key, requirement in extra_specs.items():
        scope = key.split(":")
        if len(scope) == 1:
            if key not in ATTRIBUTES:
                continue  # an unscoped key that is not a host attribute: not ours (Nova's rule)
        elif scope[0] != SCOPE:
            continue
        else:
            scope = scope[1:]
        wanted.append((scope, requirement))
    return wanted


class ComputeCapabilitiesFilter(BaseFilter):
    name = "ComputeCapabilitiesFilter"

    def capability(self, host: HostState, decision: Decision, path: list[str]) -> object:
        """The host's value at `path` (cpu_info is a JSON document: cpu_info:topology:cores)."""
        head, *rest = path
        if head == "cpu_info":
            value: object = decision.cpu_info(host)
        elif head in ATTRIBUTES:
            value = getattr(host, head, None)
        else:
            return None
        for part in rest:
            value = value.get(part) if isinstance(value, dict) else None
        return value

    def runs_in_python(self, decision: Decision) -> bool:
        return bool(requirements(decision.extra_specs))

    def _unmet(self, host: HostState, decision: Decision) -> list[str]:
        unmet = []
        for path, requirement in requirements(decision.extra_specs):
            value = self.capability(host, decision, path)
            if value is None or not match(str(value), requirement):
                unmet.append(f"{':'.join(path)} is {value!r}, wanted {requirement!r}")
        return unmet

    def host_passes(self, host: HostState, decision: Decision) -> bool:
        return not self._unmet(host, decision)

    def why(self, host: HostState, decision: Decision) -> str:
        return "; ".join(self._unmet(host, decision))
