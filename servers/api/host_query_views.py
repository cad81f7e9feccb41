"""What the server's hypervisor answers: GET /servers/{id}/diagnostics (Nova's standard form
from 2.48, libvirt's flat one before) and the os-getConsoleOutput action. Thin views over
servers.services.host_queries."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from core import microversions as mv
from core.bodies import optional_object
from core.exceptions import BadRequest
from core.views import ComputeView
from servers.models import Server
from servers.services import host_queries

from . import openapi_server_parts as doc
from .action_views import register

STANDARD_FIELDS = ("state", "driver", "hypervisor", "hypervisor_os", "num_cpus", "num_nics", "num_disks")
NIC_FIELDS = (
    "mac_address",
    "rx_octets",
    "rx_errors",
    "rx_drop",
    "rx_packets",
    "rx_rate",
    "tx_octets",
    "tx_errors",
    "tx_drop",
    "tx_packets",
    "tx_rate",
)
DISK_FIELDS = ("read_bytes", "read_requests", "write_bytes", "write_requests", "errors_count")


def standard(diagnostics: host_queries.Diagnostics) -> dict[str, Any]:
    """Nova's 2.48 diagnostics (views/server_diagnostics.py)."""
    measured = diagnostics.measured
    return {
        **{key: measured.get(key) for key in STANDARD_FIELDS},
        "uptime": diagnostics.uptime,
        "config_drive": diagnostics.config_drive,
        "cpu_details": [{k: cpu.get(k) for k in ("id", "time", "utilisation")} for cpu in measured["cpu_details"]],
        "nic_details": [{k: nic.get(k) for k in NIC_FIELDS} for nic in measured["nic_details"]],
        "disk_details": [{k: disk.get(k) for k in DISK_FIELDS} for disk in measured["disk_details"]],
        "memory_details": {k: measured["memory_details"].get(k) for k in ("maximum", "used")},
    }


def legacy(diagnostics: host_queries.Diagnostics) -> dict[str, Any]:
    """Before 2.48 each driver had its own keys; these are the libvirt driver's: vCPU times,
    memory in KiB, and per-device counters named after the guest's device."""
    measured = diagnostics.measured
    body: dict[str, Any] = {f"cpu{cpu['id']}_time": cpu["time"] for cpu in measured["cpu_details"]}
    memory = measured["memory_details"]
    body["memory"] = memory["maximum"] * 1024 if memory.get("maximum") is not None else None
    body["memory-actual"] = memory["used"] * 1024 if memory.get("used") is not None else None
    for disk in measured["disk_details"]:
        name = disk.get("name") or "disk"
        body.update(
            {
                f"{name}_read": disk["read_bytes"],
                f"{name}_read_req": disk["read_requests"],
                f"{name}_write": disk["write_bytes"],
                f"{name}_write_req": disk["write_requests"],
                f"{name}_errors": disk["errors_count"],
            }
        )
    for nic in measured["nic_details"]:
        name = nic.get("name") or nic.get("mac_address") or "nic"
        for key in ("rx", "tx"):
            body.update(
                {
                    f"{name}_{key}": nic[f"{key}_octets"],
                    f"{name}_{key}_packets": nic[f"{key}_packets"],
                    f"{name}_{key}_errors": nic[f"{key}_errors"],
                    f"{name}_{key}_drop": nic[f"{key}_drop"],
                }
            )
    return body


class ServerDiagnosticsView(ComputeView):
    """GET /servers/{id}/diagnostics."""

    openapi = {"get": doc.DIAGNOSTICS}

    def get(self, request: Request, server_id: str) -> Response:
        diagnostics = host_queries.get_diagnostics(self.caller, server_id)
        if request.api_version >= mv.STANDARD_DIAGNOSTICS:  # type: ignore[attr-defined]
            return Response(standard(diagnostics))
        return Response(legacy(diagnostics))


def console_length(value: object) -> int | None:
    """``length``: an integer (or a string of one) >= -1; -1 or none means the whole log."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise BadRequest(f"Invalid input for field/attribute length. Value: {value}. Must be an integer.")
    try:
        length = int(value)
    except ValueError:
        raise BadRequest(f"Invalid input for field/attribute length. Value: {value}. Must be an integer.") from None
    if length < -1:
        raise BadRequest(f"Invalid input for field/attribute length. Value: {value}. Must be -1 or more.")
    return None if length == -1 else length


@register("os-getConsoleOutput")
def _console_output(view: Any, server: Server, body: object) -> Response:
    args = optional_object(body, "os-getConsoleOutput")
    extra = sorted(set(args) - {"length"})
    if extra:
        raise BadRequest(f"Additional properties are not allowed ({', '.join(map(repr, extra))} were unexpected)")
    length = console_length(args.get("length"))
    return Response({"output": host_queries.get_console_output(view.caller, str(server.uuid), length)})
