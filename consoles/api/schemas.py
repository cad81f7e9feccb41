"""Nova's request schemas of the console calls (nova/api/openstack/compute/schemas/
remote_consoles.py), by microversion."""

from __future__ import annotations

from typing import Any

from core import microversions as mv
from core.microversions import Microversion


def _envelope(key: str, inner: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            key: {"type": "object", "properties": inner, "required": required, "additionalProperties": False}
        },
        "required": [key],
        "additionalProperties": False,
    }


def remote_console(version: Microversion) -> dict[str, Any]:
    """POST /servers/{id}/remote-consoles: protocol and type, each one of Nova's names
    (mks / webmks from 2.8, spice-direct from 2.99)."""
    protocols = ["vnc", "spice", "serial", "rdp"]
    types = ["novnc", "xvpvnc", "spice-html5", "serial", "rdp-html5"]
    if version >= mv.MKS_CONSOLE:
        protocols.append("mks")
        types.append("webmks")
    if version >= mv.SPICE_DIRECT_CONSOLE:
        types.append("spice-direct")
    inner = {"protocol": {"type": "string", "enum": protocols}, "type": {"type": "string", "enum": types}}
    return _envelope("remote_console", inner, ["protocol", "type"])


#: The pre-2.6 actions and the console types each accepts.
LEGACY_ACTIONS = {
    "os-getVNCConsole": ("vnc", ["novnc", "xvpvnc"]),
    "os-getSPICEConsole": ("spice", ["spice-html5"]),
    "os-getSerialConsole": ("serial", ["serial"]),
}


def legacy_action(action: str) -> dict[str, Any]:
    """The body of a pre-2.6 console action: ``{action: {"type": ...}}``."""
    types = LEGACY_ACTIONS[action][1]
    return _envelope(action, {"type": {"type": "string", "enum": types}}, ["type"])
