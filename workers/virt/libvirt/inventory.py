"""``InventoryMixin``: what the hypervisor has. The host's capacity and identity
(``host_resources``), its guests and their power states (``list_instances``,
``power_state``), and what one guest really has (``instance_info``). Read-only: none of it
takes a per-uuid lock."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from typing import Any

import libvirt

from ..driver import INSTANCE_NAME_PREFIX, NOSTATE, HostResources, canonical_uuid
from . import xml as dxml
from .connection import LibvirtBase
from .errors import is_no_domain

GIB = 1024**3


class InventoryMixin(LibvirtBase):
    """Host inventory and guest read-back."""

    def host_resources(self) -> HostResources:
        """Report capacity: vCPUs and memory from ``getInfo()`` unless ``node_*`` override.

        On a real host ``getInfo()`` may count only NUMA node0's memory (measured: 5 GiB of
        23.5 on a two-node machine), so set ``node_memory_mb`` there. Disk is ``node_disk_gb``
        or the size of the file system holding ``instances_dir``. ``libvirt_uri`` is the
        ``migration_uri`` given to the constructor (default: the driver's URI).
        """

        disk_gb = self.node_disk_gb
        if disk_gb is None:
            st = os.statvfs(self.instances_dir)
            disk_gb = st.f_blocks * st.f_frsize // GIB

        def collect(conn: libvirt.virConnect) -> HostResources:
            info = conn.getInfo()  # [arch, MiB, cpus, mhz, nodes, sockets, cores, threads]
            return HostResources(
                vcpus=int(self.node_vcpus or info[2]),
                memory_mb=int(self.node_memory_mb or info[1]),
                disk_gb=int(disk_gb),
                hypervisor_type=conn.getType(),
                hypervisor_version=int(conn.getVersion()),
                hypervisor_hostname=conn.getHostname(),
                cpu_info=json.dumps(self._cpu_info(conn, info), sort_keys=True),
                libvirt_uri=self.migration_uri,
            )

        return self._call("host_resources", collect)

    @staticmethod
    def _cpu_info(conn: libvirt.virConnect, info: list[Any]) -> dict[str, Any]:
        """Nova-style cpu_info: arch and topology from getInfo, the rest from capabilities."""
        cpu_info: dict[str, Any] = {
            "arch": info[0],
            "model": None,
            "vendor": None,
            "features": [],
            "topology": {"cells": info[4], "sockets": info[5], "cores": info[6], "threads": info[7]},
        }
        try:
            host_cpu = ET.fromstring(conn.getCapabilities()).find("host/cpu")
        except (libvirt.libvirtError, ET.ParseError):
            host_cpu = None
        if host_cpu is not None:
            cpu_info["model"] = host_cpu.findtext("model")
            cpu_info["vendor"] = host_cpu.findtext("vendor")
            features = {f.get("name") for f in host_cpu.findall("feature")}
            features |= {f.tag for f in host_cpu.findall("features/*")}
            cpu_info["features"] = sorted(f for f in features if f)
        return cpu_info

    def power_state(self, uuid: str) -> int:
        """Nova power state of the domain; ``NOSTATE`` (0) if there is no such domain.

        A shut-off domain with a managed save image (after ``suspend``) is SUSPENDED (7)."""
        uuid = canonical_uuid(uuid)

        def get(conn: libvirt.virConnect) -> int:
            try:
                return self._state(conn.lookupByUUIDString(uuid))
            except libvirt.libvirtError as exc:
                if is_no_domain(exc):
                    return NOSTATE
                raise

        return self._call("power_state", get)

    def list_instances(self) -> dict[str, int]:
        """``{uuid: power_state}`` of domains named ``instance-*`` (others, such as the
        ``test`` domain shipped by ``test:///default``, are ignored)."""

        def collect(conn: libvirt.virConnect) -> dict[str, int]:
            result: dict[str, int] = {}
            for dom in conn.listAllDomains(0):
                try:
                    if dom.name().startswith(INSTANCE_NAME_PREFIX):
                        result[dom.UUIDString()] = self._state(dom)
                except libvirt.libvirtError as exc:
                    if not is_no_domain(exc):  # vanished while listing
                        raise
            return result

        return self._call("list_instances", collect)

    def instance_info(self, uuid: str) -> dict[str, Any]:
        """Read back what the hypervisor has: ``{"power_state", "vcpus", "memory_mb",
        "disks", "interfaces", "volumes", "rescued", "persistent"}`` (see ``xml.disks``,
        ``xml.interfaces``, ``xml.volumes`` for the dicts).

        Devices come from the live XML of a running guest on a real daemon, otherwise from
        the persistent definition (the test driver's hot-plug only edits that). Read-only,
        so it does not wait for the per-uuid lock (it answers during a live migration).
        """
        uuid = canonical_uuid(uuid)

        def read(conn: libvirt.virConnect) -> dict[str, Any]:
            dom = self._domain(conn, uuid)
            root = self._device_xml(dom)
            return {
                "power_state": self._state(dom),
                "vcpus": dxml.vcpus(root),
                "memory_mb": dxml.memory_mb(root),
                "disks": dxml.disks(root),
                "interfaces": dxml.interfaces(root),
                "volumes": dxml.volumes(root),
                "rescued": dxml.is_rescue(root),
                "persistent": bool(dom.isPersistent()),
            }

        return self._call("instance_info", read)
