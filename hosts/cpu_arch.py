"""CPU architecture names: Nova's canonical spelling (nova/objects/fields.py
Architecture.canonicalize), and a host's architecture as its cpu_info reports it.

ComputeNode.cpu_arch mirrors the canonical architecture of cpu_info (written with every
report, hosts.heartbeats), so that the scheduler's ImagePropertiesFilter is one SQL condition
rather than a Python check that reads every candidate's cpu_info."""

from __future__ import annotations

import json

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
#: The longest canonical name stored (ComputeNode.cpu_arch's max_length).
MAX_ARCH = 32


def canonical_arch(value: object) -> str | None:
    """Nova's canonical name of an architecture (None for none)."""
    if not value:
        return None
    arch = str(value).strip().lower()
    return ARCH_ALIASES.get(arch, arch)


def arch_of(cpu_info: str | None) -> str:
    """The canonical architecture a cpu_info JSON text reports ("" when none, or not JSON)."""
    try:
        parsed = json.loads(cpu_info) if cpu_info else {}
    except ValueError:
        return ""
    arch = canonical_arch(parsed.get("arch")) if isinstance(parsed, dict) else None
    return (arch or "")[:MAX_ARCH]
