"""Volumes and NICs: attach and detach.

Real daemon (``capabilities["supports_hotplug"]``): ``attachDeviceFlags`` /
``detachDeviceFlags`` with ``AFFECT_LIVE`` (running guest) and ``AFFECT_CONFIG`` (persistent
definition). Volumes go on the scsi bus (virtio-scsi), which QEMU unplugs at once without the
guest's help (measured: 0.07 s). NICs are virtio PCI devices of type ``ethernet`` (a tap
libvirt makes; no bridge) or ``user``: QEMU plugs them at once, but unplugging a PCI device
needs the guest OS to acknowledge it; a guest without an OS never does (libvirt waits 5 s and
the NIC stays). Then ``detach_interface`` raises DriverError saying so; the NIC is already
gone from the definition, so it disappears at the next power off.

Test driver: it has no attach/detach at all, so these edit the persistent definition with
``defineXML`` (volumes and NICs appear in ``instance_info`` and survive a restart, but the
running guest does not change).
"""

from __future__ import annotations

import logging
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import libvirt

from ..driver import DriverError
from . import xml as dxml
from .connection import LibvirtBase

log = logging.getLogger(__name__)

Finder = Callable[[ET.Element], "ET.Element | None"]


class DevicesMixin(LibvirtBase):
    """attach_volume, detach_volume, attach_interface, detach_interface."""

    DETACH_WAIT = 3.0  # after detachDeviceFlags (which itself waits 5 s for the guest)

    def attach_volume(self, uuid: str, volume: dict[str, Any], device: str | None = None) -> str:
        """Attach the volume file ``{"id", "path", "format"}`` as a scsi disk with
        ``<serial>`` = id; return its device name (``sdb``, ``sdc``, ...; ``device`` is used
        if it is a free ``sdX`` name). Idempotent: an attached volume returns its device."""
        vol = dxml.validate_volume(volume)

        def work(conn: libvirt.virConnect, dom: libvirt.virDomain) -> str:
            roots = [self._device_xml(dom), self._xml(dom, inactive=True)]
            for root in roots:
                found = dxml.find_volume(root, vol["id"])
                if found is not None:
                    return dxml.required(found, "target").get("dev", "")
            dev = dxml.free_volume_device(roots, device)
            self._attach(conn, dom, dxml.volume_element(vol, dev))
            return dev

        return self._on_domain("attach_volume", uuid, work)

    def detach_volume(self, uuid: str, volume_id: str) -> None:
        """Detach the disk whose ``<serial>`` is ``volume_id``; not attached: nothing to do."""
        self._on_domain(
            "detach_volume",
            uuid,
            lambda conn, dom: self._detach(
                conn, dom, lambda root: dxml.find_volume(root, volume_id), f"volume {volume_id}"
            ),
        )

    def attach_interface(self, uuid: str, port: dict[str, Any]) -> None:
        """Plug a virtio NIC (type ``nic_type``) with the port's MAC; the port id is kept as
        the user alias ``ua-port-<id>``. Idempotent (by port id or MAC)."""
        p = dxml.validate_port(port)

        def work(conn: libvirt.virConnect, dom: libvirt.virDomain) -> None:
            for root in (self._device_xml(dom), self._xml(dom, inactive=True)):
                if any(dxml.find_interface(root, key) is not None for key in (p["id"], p["mac_address"])):
                    return
            self._attach(conn, dom, dxml.interface_element(p, self.nic_type))

        self._on_domain("attach_interface", uuid, work)

    def detach_interface(self, uuid: str, port_id: str) -> None:
        """Unplug the NIC of ``port_id`` (found by its alias, or by MAC if ``port_id`` is a
        MAC address); not plugged: nothing to do. See the module docstring for guests that
        do not release PCI devices."""
        self._on_domain(
            "detach_interface",
            uuid,
            lambda conn, dom: self._detach(
                conn, dom, lambda root: dxml.find_interface(root, port_id), f"port {port_id}"
            ),
        )

    # -- helpers --------------------------------------------------------------------------------

    def _attach(self, conn: libvirt.virConnect, dom: libvirt.virDomain, element: ET.Element) -> None:
        if not self.capabilities["supports_hotplug"]:
            root = self._xml(dom, inactive=True)
            dxml.required(root, "devices").append(element)
            conn.defineXML(dxml.tostring(root))
            return
        flags = self._affect_flags(dom)
        dom.attachDeviceFlags(dxml.tostring(element), flags)

    @staticmethod
    def _affect_flags(dom: libvirt.virDomain) -> int:
        flags = 0
        if dom.isActive():
            flags |= libvirt.VIR_DOMAIN_AFFECT_LIVE
        if dom.isPersistent():
            flags |= libvirt.VIR_DOMAIN_AFFECT_CONFIG
        return flags or libvirt.VIR_DOMAIN_AFFECT_CURRENT

    def _detach(self, conn: libvirt.virConnect, dom: libvirt.virDomain, find: Finder, what: str) -> None:
        persistent = self._xml(dom, inactive=True)
        config_el = find(persistent)
        if not self.capabilities["supports_hotplug"]:
            if config_el is not None:
                dxml.required(persistent, "devices").remove(config_el)
                conn.defineXML(dxml.tostring(persistent))
            return
        if config_el is not None and dom.isPersistent():
            dom.detachDeviceFlags(dxml.device_identity(config_el), libvirt.VIR_DOMAIN_AFFECT_CONFIG)
        if not dom.isActive():
            return
        live_el = find(self._xml(dom))
        if live_el is None:
            return
        try:
            dom.detachDeviceFlags(dxml.device_identity(live_el), libvirt.VIR_DOMAIN_AFFECT_LIVE)
        except libvirt.libvirtError as exc:
            # e.g. "already in the process of unplug" on a retry: wait for it like the first time
            log.info("detaching %s from %s: %s", what, dom.UUIDString(), exc)
        deadline = time.monotonic() + self.DETACH_WAIT
        while find(self._xml(dom)) is not None:
            if time.monotonic() >= deadline or not dom.isActive():
                if dom.isActive():
                    raise DriverError(
                        f"{what} is still plugged into the running guest {dom.UUIDString()}: "
                        "the guest did not release it (PCI unplug needs the guest OS). It is "
                        "removed from the definition and goes away at the next power off"
                    )
                return
            time.sleep(0.1)
