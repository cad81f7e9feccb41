"""``LibvirtBase``: the connection, locks and look-ups every part of ``LibvirtDriver`` uses.

One connection per driver object, opened lazily on first use and shared by all threads
(libvirt connections are thread-safe). If it turns out to be dead (a ``libvirtError`` with
``VIR_ERR_SYSTEM_ERROR`` and friends, or ``isAlive()`` false) the call is retried once on a
fresh connection; every operation is idempotent, so that is safe. Operations on one UUID are
serialised by a per-UUID lock (not re-entrant: public methods take it, private ``_x`` helpers
assume it is held).

libvirt's test driver (``test:``-URIs, confirmed by ``getType() == 'TEST'``): ``test:///default``
has fixed fake host sizes (16 vCPUs, 3 GiB) and state shared by all connections of the process,
freed when the last of them closes. If any ``node_*`` size is given, a node description is
written into ``instances_dir`` and the driver connects to ``test:///<that file>`` instead, which
is parsed fresh per connection, so two drivers are two hosts. Either way a test driver's
domains live only as long as the connection: ``close()`` or a reconnect starts an empty host.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any, TypeVar

import libvirt

from servers.states import PowerState

from ..driver import (
    INSTANCE_NAME_PREFIX,
    NOSTATE,
    SUSPENDED,
    ComputeDriver,
    DriverError,
    HostResources,
    HypervisorUnavailable,
    InstanceNotFound,
    NotSupported,
    canonical_uuid,
)
from . import xml as dxml

log = logging.getLogger(__name__)
T = TypeVar("T")

TEST_NODE_FILE = "libvirt-test-node.xml"
GIB = 1024**3

# libvirt's default handler prints every error to stderr, even handled ones.
libvirt.registerErrorHandler(lambda _ctx, _err: None, None)

# Errors that mean "this driver/hypervisor cannot do that at all".
_UNSUPPORTED_CODES = frozenset(
    {libvirt.VIR_ERR_NO_SUPPORT, libvirt.VIR_ERR_ARGUMENT_UNSUPPORTED, libvirt.VIR_ERR_OPERATION_UNSUPPORTED}
)


def is_connection_error(exc: libvirt.libvirtError) -> bool:
    code = exc.get_error_code()
    if code in (libvirt.VIR_ERR_SYSTEM_ERROR, libvirt.VIR_ERR_INVALID_CONN):
        return True
    return code == libvirt.VIR_ERR_INTERNAL_ERROR and exc.get_error_domain() in (
        libvirt.VIR_FROM_REMOTE,
        libvirt.VIR_FROM_RPC,
    )


def is_no_domain(exc: libvirt.libvirtError) -> bool:
    return exc.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN


def is_not_running(exc: libvirt.libvirtError) -> bool:
    """The error libvirt gives for an operation on a domain in the wrong state."""
    return exc.get_error_code() in (
        libvirt.VIR_ERR_OPERATION_INVALID,
        libvirt.VIR_ERR_INTERNAL_ERROR,
    ) and not is_connection_error(exc)


class LibvirtBase(ComputeDriver):
    """Connection handling, locking, look-ups and host inventory (see the module docstring)."""

    def __init__(
        self,
        uri: str,
        *,
        instances_dir: str,
        node_vcpus: int | None = None,
        node_memory_mb: int | None = None,
        node_disk_gb: int | None = None,
        migration_uri: str | None = None,
        nic_type: str = "ethernet",
        shutdown_timeout: float = 60.0,
    ) -> None:
        """No connection is opened here; ``instances_dir`` is created (mode 755, see C5).

        ``migration_uri``: how other hosts reach this one (``host_resources().libvirt_uri``),
        default ``uri``. ``nic_type``: ``'ethernet'`` (a tap libvirt creates, no bridge) or
        ``'user'`` (SLIRP). ``shutdown_timeout``: default seconds a clean shutdown may take.
        """
        super().__init__(
            uri,
            instances_dir=os.path.abspath(instances_dir),
            node_vcpus=node_vcpus,
            node_memory_mb=node_memory_mb,
            node_disk_gb=node_disk_gb,
        )
        if nic_type not in dxml.NIC_TYPES:
            raise ValueError(f"nic_type must be one of {dxml.NIC_TYPES}: {nic_type!r}")
        self.migration_uri = migration_uri or uri
        self.nic_type = nic_type
        self.shutdown_timeout = float(shutdown_timeout)
        self.is_test = uri.startswith("test:")
        self.capabilities = self._capabilities_for(self.is_test)
        self._conn: libvirt.virConnect | None = None
        self._conn_lock = threading.Lock()
        self._uuid_locks: dict[str, threading.Lock] = {}
        self._uuid_locks_guard = threading.Lock()
        # live migrations running in this process: uuid -> {"dom", "aborted", "paused", ...}
        self._running_migrations: dict[str, dict[str, Any]] = {}
        os.makedirs(self.instances_dir, mode=0o755, exist_ok=True)

    @staticmethod
    def _capabilities_for(is_test: bool) -> dict[str, bool]:
        """What each kind of connection can do, as measured with libvirt 9.0 / QEMU 7.2.

        The test driver has no migration, hot-plug, block jobs or disks, but fakes
        ``setUserPassword`` and accepts ``injectNMI``. QEMU guests here have no guest-agent
        channel, so ``setUserPassword`` cannot reach them."""
        real = not is_test
        return {
            "supports_migration": real,
            "supports_hotplug": real,
            "supports_disks": real,
            "supports_export_import": True,
            "supports_set_admin_password": is_test,
            "supports_nmi": True,
        }

    # -- the connection ---------------------------------------------------------------------

    def _effective_uri(self) -> str:
        """``self.uri``, or ``test:///<node file>`` when test:///default gets node sizes."""
        sizes = (self.node_vcpus, self.node_memory_mb, self.node_disk_gb)
        if self.uri != "test:///default" or all(s is None for s in sizes):
            return self.uri
        vcpus = self.node_vcpus or 16  # sizes not given keep test:///default's values
        memory_kib = (self.node_memory_mb or 3072) * 1024
        node = ET.Element("node")
        cpu = dxml.el(node, "cpu")
        for tag, value in (
            ("mhz", 2400),
            ("model", "x86_64"),
            ("active", vcpus),
            ("nodes", 1),
            ("sockets", 1),
            ("cores", vcpus),
            ("threads", 1),
        ):
            dxml.el(cpu, tag, str(value))
        dxml.el(node, "memory", str(memory_kib))  # KiB
        path = os.path.join(self.instances_dir, TEST_NODE_FILE)
        tmp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
        with open(tmp, "wb") as fh:
            fh.write(ET.tostring(node))
        os.replace(tmp, path)
        return "test://" + path

    def _get_conn(self) -> libvirt.virConnect:
        with self._conn_lock:
            if self._conn is None:
                uri = self._effective_uri()
                try:
                    conn = libvirt.open(uri)
                    is_test = conn.getType() == "TEST"
                except libvirt.libvirtError as exc:
                    raise HypervisorUnavailable(f"cannot connect to {uri}: {exc}") from exc
                if is_test and not self.is_test:
                    self.is_test = True
                    self.capabilities = self._capabilities_for(True)
                self._conn = conn
            return self._conn

    def _drop_conn(self, conn: libvirt.virConnect) -> None:
        with self._conn_lock:
            if self._conn is conn:
                self._conn = None
                try:
                    conn.close()
                except libvirt.libvirtError:
                    pass

    def _call(self, what: str, fn: Callable[[libvirt.virConnect], T]) -> T:
        """Run ``fn(conn)``; reconnect and retry once if the connection died.

        Other libvirt errors become :class:`DriverError` (:class:`NotSupported` for "not
        supported by the connection driver", unsupported flags and the like).
        """
        for attempt in (1, 2):
            conn = self._get_conn()
            try:
                return fn(conn)
            except libvirt.libvirtError as exc:
                try:
                    alive = bool(conn.isAlive())
                except libvirt.libvirtError:
                    alive = False
                lost = not alive or is_connection_error(exc)
                if attempt == 1 and lost:
                    log.warning("libvirt connection to %s lost (%s); reconnecting", self.uri, exc)
                    self._drop_conn(conn)
                    continue
                if lost:
                    raise HypervisorUnavailable(f"{what}: {exc}") from exc
                if exc.get_error_code() in _UNSUPPORTED_CODES:
                    raise NotSupported(f"{what}: {exc}") from exc
                raise DriverError(f"{what}: {exc}") from exc
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Close the connection. With the test driver this forgets the domains."""
        if self._conn is not None:
            self._drop_conn(self._conn)

    def _uuid_lock(self, uuid: str) -> threading.Lock:
        with self._uuid_locks_guard:
            return self._uuid_locks.setdefault(uuid, threading.Lock())

    def _locked(self, what: str, uuid: str, fn: Callable[[libvirt.virConnect], T]) -> T:
        """``_call(what, fn)`` holding ``uuid``'s lock."""
        with self._uuid_lock(canonical_uuid(uuid)):
            return self._call(what, fn)

    def _on_domain(self, what: str, uuid: str, fn: Callable[[libvirt.virConnect, libvirt.virDomain], T]) -> T:
        """``fn(conn, dom)`` under ``uuid``'s lock; :class:`InstanceNotFound` if no guest."""
        uuid = canonical_uuid(uuid)
        return self._locked(what, uuid, lambda conn: fn(conn, self._domain(conn, uuid)))

    # -- look-ups -----------------------------------------------------------------------------

    @staticmethod
    def _lookup(conn: libvirt.virConnect, uuid: str) -> libvirt.virDomain | None:
        try:
            return conn.lookupByUUIDString(uuid)
        except libvirt.libvirtError as exc:
            if is_no_domain(exc):
                return None
            raise

    def _domain(self, conn: libvirt.virConnect, uuid: str) -> libvirt.virDomain:
        dom = self._lookup(conn, uuid)
        if dom is None:
            raise InstanceNotFound(f"no guest {uuid} on this host ({self.uri})")
        return dom

    @staticmethod
    def _state(dom: libvirt.virDomain) -> int:
        """Nova power state; a shut-off domain with a managed save image is SUSPENDED (7)."""
        state, _reason = dom.state()
        if state == libvirt.VIR_DOMAIN_SHUTOFF and dom.hasManagedSaveImage(0):
            return SUSPENDED
        return PowerState.from_libvirt(state)

    @staticmethod
    def _xml(dom: libvirt.virDomain, inactive: bool = False) -> ET.Element:
        return dxml.parse(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE if inactive else 0))

    def _device_xml(self, dom: libvirt.virDomain) -> ET.Element:
        """The XML that says which devices the guest has: the live one on a real daemon
        (hot-plug changes it), the persistent definition on the test driver (where
        attach/detach can only edit the definition) or for a guest that is not running."""
        return self._xml(dom, inactive=self.is_test or not dom.isActive())

    def instance_dir(self, uuid: str) -> str:
        """The directory holding the instance's disk files: ``<instances_dir>/<uuid>``."""
        return os.path.join(self.instances_dir, canonical_uuid(uuid))

    def _remove_files(self, uuid: str, suffix: str = "") -> None:
        path = self.instance_dir(uuid) + suffix
        try:
            shutil.rmtree(path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise DriverError(f"cannot remove {path}: {exc}") from exc

    # -- host and inventory ---------------------------------------------------------------------

    def host_resources(self) -> HostResources:
        """Report capacity: vCPUs and memory from ``getInfo()`` unless ``node_*`` override.

        On a real host ``getInfo()`` may count only NUMA node0's memory (5 GiB of 23.5 on
        the reference machine), so set ``node_memory_mb`` there. Disk is ``node_disk_gb``
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
