"""``LibvirtBase``: the connection, locks and look-ups every part of ``LibvirtDriver`` uses.
Host inventory (sizes, guests, power states) is in ``inventory.py``.

One connection per driver object, opened lazily on first use and shared by all threads
(libvirt connections are thread-safe). If it turns out to be dead (a ``libvirtError`` with
``VIR_ERR_SYSTEM_ERROR`` and friends, or ``isAlive()`` false) the call is retried once on a
fresh connection; every operation is idempotent, so that is safe. Operations on one UUID are
serialised by a per-UUID lock (not re-entrant: public methods take it, private ``_x`` helpers
assume it is held).

libvirt's test driver (``test:``-URIs, confirmed by ``getType() == 'TEST'``): ``test:///default``
has fixed fake host sizes (16 vCPUs, 3 GiB) and state shared by all connections of the process,
freed when the last of them closes. If any ``node_*`` size is given, the driver connects to a
host of that size instead (``testhost.py``). Either way a test driver's domains live only as
long as the connection: ``close()`` or a reconnect starts an empty host.
"""

from __future__ import annotations

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
    SUSPENDED,
    ComputeDriver,
    DriverError,
    HypervisorUnavailable,
    InstanceNotFound,
    NotSupported,
    canonical_uuid,
)
from . import xml as dxml
from .errors import UNSUPPORTED_CODES, is_connection_error, is_no_domain
from .testhost import sized_host_uri

log = logging.getLogger(__name__)
T = TypeVar("T")


class LibvirtBase(ComputeDriver):
    """Connection handling, locking and look-ups (see the module docstring)."""

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
        vnc_listen: str | None = "127.0.0.1",
    ) -> None:
        """No connection is opened here; ``instances_dir`` is created (mode 755: QEMU
        must traverse it, see "File access" in ``LibvirtDriver``'s docstring).

        ``migration_uri``: how other hosts reach this one (``host_resources().libvirt_uri``),
        default ``uri``. ``nic_type``: ``'ethernet'`` (a tap libvirt creates, no bridge) or
        ``'user'`` (SLIRP). ``shutdown_timeout``: default seconds a clean shutdown may take.
        ``vnc_listen``: the address a real guest's VNC graphics listen on (the one console
        proxies connect to); None gives guests no graphics.
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
        self.vnc_listen = vnc_listen
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
        if self.uri != "test:///default" or all(
            size is None for size in (self.node_vcpus, self.node_memory_mb, self.node_disk_gb)
        ):
            return self.uri
        return sized_host_uri(self.instances_dir, vcpus=self.node_vcpus, memory_mb=self.node_memory_mb)

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
            current = self._conn
            if current is None or current is not conn:
                return  # another thread replaced it already
            self._conn = None
            try:
                current.close()
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
                if exc.get_error_code() in UNSUPPORTED_CODES:
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
