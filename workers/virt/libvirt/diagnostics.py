"""``DiagnosticsMixin``: what libvirt measures of a guest (``get_diagnostics``), its console
log (``get_console_output``) and where its VNC server listens (``get_vnc_console``). All only
read, so they take no per-uuid lock.

Each statistic comes from its own libvirt call (``info``, ``vcpus``, ``blockStats``,
``interfaceStats``); one the hypervisor cannot give (the test driver has no device
statistics; a stopped guest has no vCPU times) is reported as None, as Nova's libvirt driver
does."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any, TypeVar

import libvirt

from ..driver import (
    MAX_CONSOLE_BYTES,
    POWER_STATE_NAMES,
    ConsoleNotAvailable,
    ConsoleNotReady,
    ConsoleTypeUnavailable,
    DriverError,
    canonical_uuid,
)
from . import xml as dxml
from .connection import LibvirtBase

T = TypeVar("T")

NIC_STATS = ("rx_octets", "rx_packets", "rx_errors", "rx_drop", "tx_octets", "tx_packets", "tx_errors", "tx_drop")


def _maybe(call: Callable[[], T]) -> T | None:
    """``call()``, or None when libvirt cannot give that statistic."""
    try:
        return call()
    except libvirt.libvirtError:
        return None


def _state_name(power_state: int) -> str:
    """Nova's diagnostics state names; NOSTATE is "pending"."""
    return "pending" if power_state == 0 else POWER_STATE_NAMES[power_state].lower()


class DiagnosticsMixin(LibvirtBase):
    """get_diagnostics, get_console_output, get_vnc_console."""

    def get_diagnostics(self, uuid: str) -> dict[str, Any]:
        """See ``ComputeDriver.get_diagnostics``."""
        uuid = canonical_uuid(uuid)

        def read(conn: libvirt.virConnect) -> dict[str, Any]:
            dom = self._domain(conn, uuid)
            root = self._device_xml(dom)
            _state, max_kib, used_kib, num_cpus, _cpu_time = dom.info()
            vcpus = _maybe(dom.vcpus)
            cpu_details = [{"id": v[0], "time": v[2], "utilisation": None} for v in vcpus[0]] if vcpus else []
            return {
                "state": _state_name(self._state(dom)),
                "driver": "libvirt",
                "hypervisor": conn.getType().lower(),
                "hypervisor_os": "linux",
                "num_cpus": num_cpus,
                "num_nics": len(root.findall("devices/interface")),
                "num_disks": len(root.findall("devices/disk")),
                "cpu_details": cpu_details,
                "nic_details": [self._nic(dom, nic) for nic in root.findall("devices/interface")],
                "disk_details": [self._disk(dom, disk) for disk in root.findall("devices/disk")],
                "memory_details": {"maximum": max_kib // 1024, "used": used_kib // 1024},
            }

        return self._call("get_diagnostics", read)

    @staticmethod
    def _nic(dom: libvirt.virDomain, nic: ET.Element) -> dict[str, Any]:
        mac, target = nic.find("mac"), nic.find("target")
        stats = _maybe(lambda: dom.interfaceStats(target.get("dev"))) if target is not None else None
        values = dict(zip(NIC_STATS, stats, strict=True)) if stats else dict.fromkeys(NIC_STATS)
        return {
            "name": target.get("dev") if target is not None else None,
            "mac_address": (mac.get("address") or "").lower() if mac is not None else None,
            **values,
            "rx_rate": None,
            "tx_rate": None,
        }

    @staticmethod
    def _disk(dom: libvirt.virDomain, disk: ET.Element) -> dict[str, Any]:
        target = disk.find("target")
        name = target.get("dev") if target is not None else None
        stats = _maybe(lambda: dom.blockStats(name)) if name else None
        read_requests, read_bytes, write_requests, write_bytes, errors = stats or (None,) * 5
        return {
            "name": name,
            "read_bytes": read_bytes,
            "read_requests": read_requests,
            "write_bytes": write_bytes,
            "write_requests": write_requests,
            "errors_count": errors,
        }

    def get_console_output(self, uuid: str) -> str:
        """See ``ComputeDriver.get_console_output``: the tail of the file the guest's serial
        console is logged to (``xml.console_log_path``)."""
        uuid = canonical_uuid(uuid)
        path = self._call("get_console_output", lambda conn: dxml.console_log_path(self._xml(self._domain(conn, uuid))))
        if path is None:
            raise ConsoleNotAvailable("Guest does not have a console available.")
        try:
            with open(path, "rb") as log:
                log.seek(max(0, os.path.getsize(path) - MAX_CONSOLE_BYTES))
                data = log.read()
        except FileNotFoundError:
            return ""  # nothing logged yet (or a test-driver guest, which never writes one)
        except OSError as exc:
            raise DriverError(f"cannot read the console log {path}: {exc}") from exc
        return data.decode("utf-8", errors="replace")

    def get_vnc_console(self, uuid: str) -> dict[str, Any]:
        """See ``ComputeDriver.get_vnc_console``: the listen address and the port QEMU chose,
        read from the running guest's live XML (the port exists only while it runs)."""
        uuid = canonical_uuid(uuid)
        root = self._call("get_vnc_console", lambda conn: self._xml(self._domain(conn, uuid)))
        if not dxml.has_vnc(root):
            raise ConsoleTypeUnavailable("Unavailable console type vnc.")
        address = dxml.vnc_address(root)
        if address is None:
            raise ConsoleNotReady(f"Instance {uuid} is not running, so its VNC console is not served.")
        return {"host": address[0], "port": address[1]}
