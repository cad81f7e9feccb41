"""ImagePropertiesFilter: the image's architecture (`hw_architecture`, formerly
`architecture`) must be the host CPU's and its hypervisor type (`img_hv_type`, formerly
`hypervisor_type`) the host's. The hypervisor type is a column, checked in SQL; the
architecture lives in cpu_info, checked in Python on the candidates."""

from __future__ import annotations

from scheduling.context import Decision
from scheduling.host_state import HostState

from .base import BaseFilter, Sql, in_list

# Nova's canonical names (nova/objects/fields.py Architecture.canonicalize, HVType).
ARCH_ALIASES = {
    "amd64": "x86_64",
    "x64": "x86_64",
    "i386": "i686",
    "i486": "i686",
    "i586": "i686",
    "x86": "i686",
    "arm64": "aarch64",
    "ppc64el": "ppc64le",
}
# libvirt hosts run both: KVM with acceleration, QEMU without.
HV_EQUIVALENTS = {"kvm": {"kvm", "qemu"}, "qemu": {"qemu", "kvm"}}


def canonical_arch(value: object) -> str | None:
    if not value:
        return None
    arch = str(value).strip().lower()
    return ARCH_ALIASES.get(arch, arch)


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
        types = self.wanted_hv_types(decision)
        if not types:
            return None
        return in_list("LOWER(n.hypervisor_type)", types)

    def runs_in_python(self, decision: Decision) -> bool:
        return self.wanted_arch(decision) is not None

    def host_passes(self, host: HostState, decision: Decision) -> bool:
        return canonical_arch(decision.cpu_info(host).get("arch")) == self.wanted_arch(decision)

    def why(self, host: HostState, decision: Decision) -> str:
        reasons = []
        types = self.wanted_hv_types(decision)
        if types and host.hypervisor_type.lower() not in types:
            reasons.append(
                f"the image wants hypervisor {'/'.join(sorted(types))}, the host runs {host.hypervisor_type}"
            )
        arch = self.wanted_arch(decision)
        if arch and not self.host_passes(host, decision):
            have = decision.cpu_info(host).get("arch") or "an unreported architecture"
            reasons.append(f"the image wants architecture {arch}, the host is {have}")
        return "; ".join(reasons)
