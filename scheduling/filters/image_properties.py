"""ImagePropertiesFilter: the image's architecture (`hw_architecture`, formerly
`architecture`) must be the host CPU's and its hypervisor type (`img_hv_type`, formerly
`hypervisor_type`) the host's. Both are SQL conditions: the hypervisor type is a column, and
the architecture of the host's cpu_info is mirrored in the column cpu_arch (hosts.cpu_arch)."""

from __future__ import annotations

from hosts.cpu_arch import canonical_arch
from scheduling.context import Decision
from scheduling.host_state import HostState

from .base import BaseFilter, Sql, in_list

# libvirt hosts run both: KVM with acceleration, QEMU without.
HV_EQUIVALENTS = {"kvm": {"kvm", "qemu"}, "qemu": {"qemu", "kvm"}}


class ImagePropertiesFilter(BaseFilter):
    name = "ImagePropertiesFilter"

    def wanted_arch(self, decision: Decision) -> str | None:
        props = decision.image_properties
        return canonical_arch(props.get("hw_architecture") or props.get("architecture"))

    def wanted_hv_types(self, decision: Decision) -> set[str] | None:
        props = decision.image_properties
        wanted = props.get("img_hv_type") or props.get("hypervisor_type")
        if not wanted:
            return None
        wanted = str(wanted).strip().lower()
        return HV_EQUIVALENTS.get(wanted, {wanted})

    def sql(self, decision: Decision) -> Sql | None:
        conditions = []
        types = self.wanted_hv_types(decision)
        if types:
            conditions.append(in_list("LOWER(n.hypervisor_type)", types))
        arch = self.wanted_arch(decision)
        if arch:
            conditions.append(Sql("n.cpu_arch = %s", (arch,)))
        if not conditions:
            return None
        return Sql(" AND ".join(c.text for c in conditions), tuple(p for c in conditions for p in c.params))

    def arch_passes(self, host: HostState, decision: Decision) -> bool:
        """The host's reported architecture is the image's (for `why`; the scheduler asks SQL)."""
        return canonical_arch(decision.cpu_info(host).get("arch")) == self.wanted_arch(decision)

    def why(self, host: HostState, decision: Decision) -> str:
        reasons = []
        types = self.wanted_hv_types(decision)
        if types and host.hypervisor_type.lower() not in types:
            reasons.append(
                f"the image wants hypervisor {'/'.join(sorted(types))}, the host runs {host.hypervisor_type}"
            )
        arch = self.wanted_arch(decision)
        if arch and not self.arch_passes(host, decision):
            have = decision.cpu_info(host).get("arch") or "an unreported architecture"
            reasons.append(f"the image wants architecture {arch}, the host is {have}")
        return "; ".join(reasons)
