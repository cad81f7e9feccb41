"""``LibvirtDriver``: the compute driver on top of libvirt-python.

Written for a real libvirt daemon first (``qemu:///system``, ``qemu+tcp://...``): guests are
``<domain type='qemu'>`` (TCG) with a qcow2 overlay root disk on virtio, a pty serial
console, a virtio balloon and no network devices yet.

libvirt's in-process test driver (``test:``-URIs, confirmed by ``getType() == 'TEST'``) is
handled explicitly where it differs:

* guests are ``<domain type='test'>`` without devices or disk files (no ``qemu-img``);
* ``undefineFlags`` rejects ``VIR_DOMAIN_UNDEFINE_NVRAM`` (libvirt 9.0), so it is left out;
* ``test:///default`` has fixed fake host sizes (16 vCPUs, 3 GiB) and state shared by all
  connections of the process, but freed when the last of them closes. If any ``node_*``
  size is given, a node description is written into ``instances_dir`` and the driver
  connects to ``test:///<that file>`` instead, which is parsed fresh per connection. Either
  way a test driver's domains live only as long as the connection: ``close()`` or a
  reconnect starts from an empty host;
* it cannot migrate or hot-plug, which ``capabilities`` reports.

Caveat C5 (real daemon): QEMU runs as ``libvirt-qemu`` and libvirt chowns the images it
uses, so ``instances_dir``, the image files and every directory above them must be
traversable by that user (mode 755; not under ``/root``, which is 700), or the guest fails
to start with "Permission denied". Alternatively set ``user``/``group = "root"`` or
``dynamic_ownership = 0`` in ``qemu.conf``.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import threading
import xml.etree.ElementTree as ET
from typing import Any, Callable, TypeVar

import libvirt

from .driver import (CRASHED, INSTANCE_NAME_PREFIX, NOSTATE, PAUSED, RUNNING, SHUTDOWN,
                     SUSPENDED, ComputeDriver, DriverError, HostResources,
                     HypervisorUnavailable, InstanceSpec, canonical_uuid)

log = logging.getLogger(__name__)
T = TypeVar("T")

NOVASITE_NS = "http://novasite.dev/xmlns/1.0"
TEST_NODE_FILE = "libvirt-test-node.xml"
DISK_FILE = "disk"
GIB = 1024**3

# libvirt's default handler prints every error to stderr, even handled ones.
libvirt.registerErrorHandler(lambda _ctx, _err: None, None)

_LIBVIRT_TO_NOVA = {
    libvirt.VIR_DOMAIN_NOSTATE: NOSTATE, libvirt.VIR_DOMAIN_RUNNING: RUNNING,
    libvirt.VIR_DOMAIN_BLOCKED: RUNNING, libvirt.VIR_DOMAIN_PAUSED: PAUSED,
    libvirt.VIR_DOMAIN_SHUTDOWN: SHUTDOWN, libvirt.VIR_DOMAIN_SHUTOFF: SHUTDOWN,
    libvirt.VIR_DOMAIN_CRASHED: CRASHED, libvirt.VIR_DOMAIN_PMSUSPENDED: SUSPENDED,
}


def _is_connection_error(exc: libvirt.libvirtError) -> bool:
    code = exc.get_error_code()
    if code in (libvirt.VIR_ERR_SYSTEM_ERROR, libvirt.VIR_ERR_INVALID_CONN):
        return True
    return code == libvirt.VIR_ERR_INTERNAL_ERROR and exc.get_error_domain() in (
        libvirt.VIR_FROM_REMOTE, libvirt.VIR_FROM_RPC)


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    child = ET.SubElement(parent, tag, attrs)
    child.text = text
    return child


def _is_no_domain(exc: libvirt.libvirtError) -> bool:
    return exc.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN


class LibvirtDriver(ComputeDriver):
    """Compute driver for one libvirt host.

    One connection per driver object, opened lazily on first use and shared by all threads
    (libvirt connections are thread-safe). If it turns out to be dead (a ``libvirtError``
    with ``VIR_ERR_SYSTEM_ERROR`` and friends, or ``isAlive()`` false) the call is retried
    once on a fresh connection; every operation here is idempotent, so that is safe.
    Operations on one UUID are serialised by a per-UUID lock.
    """

    def __init__(self, uri: str, *, instances_dir: str, node_vcpus: int | None = None,
                 node_memory_mb: int | None = None, node_disk_gb: int | None = None) -> None:
        """No connection is opened here; ``instances_dir`` is created (mode 755, see C5)."""
        super().__init__(uri, instances_dir=os.path.abspath(instances_dir),
                         node_vcpus=node_vcpus, node_memory_mb=node_memory_mb,
                         node_disk_gb=node_disk_gb)
        self.is_test = uri.startswith("test:")
        real = not self.is_test
        self.capabilities = {"supports_migration": real, "supports_hotplug": real,
                             "supports_disks": real}
        self._conn: libvirt.virConnect | None = None
        self._conn_lock = threading.Lock()
        self._uuid_locks: dict[str, threading.Lock] = {}
        self._uuid_locks_guard = threading.Lock()
        os.makedirs(self.instances_dir, mode=0o755, exist_ok=True)

    def _effective_uri(self) -> str:
        """``self.uri``, or ``test:///<node file>`` when test:///default gets node sizes."""
        sizes = (self.node_vcpus, self.node_memory_mb, self.node_disk_gb)
        if self.uri != "test:///default" or all(s is None for s in sizes):
            return self.uri
        vcpus = self.node_vcpus or 16  # sizes not given keep test:///default's values
        memory_kib = (self.node_memory_mb or 3072) * 1024
        node = ET.Element("node")
        cpu = _el(node, "cpu")
        for tag, value in (("mhz", 2400), ("model", "x86_64"), ("active", vcpus),
                           ("nodes", 1), ("sockets", 1), ("cores", vcpus), ("threads", 1)):
            _el(cpu, tag, str(value))
        _el(node, "memory", str(memory_kib))  # KiB
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
                    self.capabilities = dict.fromkeys(self.capabilities, False)
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

        Other libvirt errors become :class:`DriverError`.
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
                if attempt == 1 and (not alive or _is_connection_error(exc)):
                    log.warning("libvirt connection to %s lost (%s); reconnecting", self.uri, exc)
                    self._drop_conn(conn)
                    continue
                if not alive or _is_connection_error(exc):
                    raise HypervisorUnavailable(f"{what}: {exc}") from exc
                raise DriverError(f"{what}: {exc}") from exc
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Close the connection. With the test driver this forgets the domains."""
        if self._conn is not None:
            self._drop_conn(self._conn)

    def _uuid_lock(self, uuid: str) -> threading.Lock:
        with self._uuid_locks_guard:
            return self._uuid_locks.setdefault(uuid, threading.Lock())

    def host_resources(self) -> HostResources:
        """Report capacity: vCPUs and memory from ``getInfo()`` unless ``node_*`` override.

        On a real host ``getInfo()`` may count only NUMA node0's memory (5 GiB of 23.5 on
        the reference machine), so set ``node_memory_mb`` there. Disk is ``node_disk_gb``
        or the size of the file system holding ``instances_dir``.
        """

        disk_gb = self.node_disk_gb
        if disk_gb is None:
            st = os.statvfs(self.instances_dir)
            disk_gb = st.f_blocks * st.f_frsize // GIB

        def collect(conn: libvirt.virConnect) -> HostResources:
            info = conn.getInfo()  # [arch, MiB, cpus, mhz, nodes, sockets, cores, threads]
            return HostResources(
                vcpus=int(self.node_vcpus or info[2]),
                memory_mb=int(self.node_memory_mb or info[1]), disk_gb=int(disk_gb),
                hypervisor_type=conn.getType(), hypervisor_version=int(conn.getVersion()),
                hypervisor_hostname=conn.getHostname(),
                cpu_info=json.dumps(self._cpu_info(conn, info), sort_keys=True))

        return self._call("host_resources", collect)

    @staticmethod
    def _cpu_info(conn: libvirt.virConnect, info: list[Any]) -> dict[str, Any]:
        """Nova-style cpu_info: arch and topology from getInfo, the rest from capabilities."""
        cpu_info: dict[str, Any] = {
            "arch": info[0], "model": None, "vendor": None, "features": [],
            "topology": {"cells": info[4], "sockets": info[5], "cores": info[6],
                         "threads": info[7]}}
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

    @staticmethod
    def _lookup(conn: libvirt.virConnect, uuid: str) -> libvirt.virDomain | None:
        try:
            return conn.lookupByUUIDString(uuid)
        except libvirt.libvirtError as exc:
            if _is_no_domain(exc):
                return None
            raise

    @staticmethod
    def _state(dom: libvirt.virDomain) -> int:
        state, _reason = dom.state()
        return _LIBVIRT_TO_NOVA.get(state, NOSTATE)

    def instance_dir(self, uuid: str) -> str:
        """The directory holding the instance's disk files: ``<instances_dir>/<uuid>``."""
        return os.path.join(self.instances_dir, canonical_uuid(uuid))

    def spawn(self, spec: InstanceSpec | dict[str, Any]) -> int:
        """Define and start the domain; return its Nova power state.

        Idempotent: if a domain with ``spec.uuid`` exists it is started if not running.
        On a real daemon, if ``image_path`` exists, the root disk is a qcow2 overlay
        ``<instances_dir>/<uuid>/disk`` over it (``qemu-img create -f qcow2 -F <fmt> -b``,
        grown to ``root_gb`` if larger); without a usable image the guest boots diskless.
        The test driver never gets a disk. A failed build is undefined and its files removed.
        """
        if isinstance(spec, dict):
            spec = InstanceSpec.from_dict(spec)
        if not spec.name.startswith(INSTANCE_NAME_PREFIX):
            raise ValueError(f"domain name must start with {INSTANCE_NAME_PREFIX!r}: "
                             f"{spec.name!r}")
        with self._uuid_lock(spec.uuid):
            return self._call("spawn", lambda conn: self._spawn(conn, spec))

    def _spawn(self, conn: libvirt.virConnect, spec: InstanceSpec) -> int:
        dom = self._lookup(conn, spec.uuid)
        if dom is not None:
            if not dom.isActive():
                dom.create()
            return self._state(dom)
        disk = None if self.is_test else self._prepare_disk(spec)
        dom = None
        try:
            dom = conn.defineXML(self.domain_xml(spec, disk))
            dom.create()
        except libvirt.libvirtError:
            log.exception("building %s failed; removing what was made", spec.uuid)
            if dom is not None:
                self._undefine(dom)
            self._remove_files(spec.uuid)
            raise
        return self._state(dom)

    def _prepare_disk(self, spec: InstanceSpec) -> str | None:
        """Create the qcow2 overlay for a real daemon; return its path (None: no disk)."""
        if not spec.image_path:
            return None
        image = os.path.abspath(spec.image_path)
        if not os.path.isfile(image):
            log.warning("image %s for %s not found; booting without a disk", image, spec.uuid)
            return None
        qemu_img = shutil.which("qemu-img")
        if qemu_img is None:
            raise DriverError("qemu-img is not installed (apt-get install qemu-utils); "
                              "it is needed to create the root disk")
        path = os.path.join(self.instance_dir(spec.uuid), DISK_FILE)
        if os.path.exists(path):
            return path
        os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
        info = self._run([qemu_img, "info", "--output=json", "-f", spec.image_format, image])
        image_bytes = int(json.loads(info)["virtual-size"])
        root_bytes = spec.root_gb * GIB
        if root_bytes and root_bytes < image_bytes:
            raise DriverError(f"flavor root disk ({spec.root_gb} GiB) is smaller than the "
                              f"image ({image_bytes} bytes)")
        part = path + ".part"  # a crash half-way must not leave a "disk" to be reused
        cmd = [qemu_img, "create", "-f", "qcow2", "-F", spec.image_format, "-b", image, part]
        if root_bytes > image_bytes:
            cmd.append(str(root_bytes))
        self._run(cmd)
        os.replace(part, path)
        return path

    @staticmethod
    def _run(cmd: list[str]) -> str:
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise DriverError(f"{' '.join(cmd)}: {exc}") from exc
        if done.returncode != 0:
            raise DriverError(f"{' '.join(cmd)} failed: {done.stderr.strip()}")
        return done.stdout

    def domain_xml(self, spec: InstanceSpec, disk_path: str | None = None) -> str:
        """Build the domain XML with ElementTree (so user values are escaped).

        ``<domain type='qemu'>`` with ACPI, the virtio root disk (if ``disk_path``), pty
        serial + console and a virtio balloon; for the test driver ``<domain type='test'>``
        without devices. ``<metadata>`` holds a ``novasite:instance`` element (namespace
        ``http://novasite.dev/xmlns/1.0``) so a restarting worker can recognise its guests.
        """
        dom = ET.Element("domain", type="test" if self.is_test else "qemu")
        _el(dom, "name", spec.name)
        _el(dom, "uuid", spec.uuid)
        dom.append(self._metadata_element(spec))
        _el(dom, "memory", str(spec.memory_mb), unit="MiB")
        _el(dom, "currentMemory", str(spec.memory_mb), unit="MiB")
        _el(dom, "vcpu", str(spec.vcpus))
        os_el = _el(dom, "os")
        _el(os_el, "type", "hvm", arch="x86_64")
        _el(os_el, "boot", dev="hd")
        if not self.is_test:
            features = _el(dom, "features")
            _el(features, "acpi")
            _el(features, "apic")
        _el(dom, "clock", offset="utc")
        for tag, action in (("on_poweroff", "destroy"), ("on_reboot", "restart"),
                            ("on_crash", "destroy")):
            _el(dom, tag, action)
        devices = _el(dom, "devices")
        if not self.is_test:
            if disk_path:
                disk = _el(devices, "disk", type="file", device="disk")
                _el(disk, "driver", name="qemu", type="qcow2")
                _el(disk, "source", file=disk_path)
                _el(disk, "target", dev="vda", bus="virtio")
            _el(_el(devices, "serial", type="pty"), "target", port="0")
            _el(_el(devices, "console", type="pty"), "target", type="serial", port="0")
            _el(devices, "memballoon", model="virtio")
        return ET.tostring(dom, encoding="unicode")

    @staticmethod
    def _metadata_element(spec: InstanceSpec) -> ET.Element:
        """``<metadata><novasite:instance>`` with uuid, name, flavor, image and metadata."""
        meta = ET.Element("metadata")
        inst = _el(meta, "novasite:instance", **{"xmlns:novasite": NOVASITE_NS})
        _el(inst, "novasite:uuid", spec.uuid)
        _el(inst, "novasite:name", str(spec.metadata.get("display_name", spec.name)))
        _el(inst, "novasite:flavor", name=str(spec.metadata.get("flavor_name", "")),
            vcpus=str(spec.vcpus), memory_mb=str(spec.memory_mb), root_gb=str(spec.root_gb))
        if spec.image_path:
            _el(inst, "novasite:image", path=spec.image_path, format=spec.image_format)
        for key in sorted(spec.metadata, key=str):
            value = spec.metadata[key]
            text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
            _el(inst, "novasite:meta", text, key=str(key))
        return meta

    def destroy(self, uuid: str) -> None:
        """Stop and undefine the domain, then remove ``<instances_dir>/<uuid>``.

        Undefine uses ``MANAGED_SAVE | SNAPSHOTS_METADATA | NVRAM``; the test driver
        rejects the NVRAM flag, so it is left out there (and on any daemon that refuses it).
        An unknown UUID is fine (leftover files are still removed).
        """
        uuid = canonical_uuid(uuid)
        with self._uuid_lock(uuid):
            self._call("destroy", lambda conn: self._destroy(conn, uuid))
            self._remove_files(uuid)

    def _destroy(self, conn: libvirt.virConnect, uuid: str) -> None:
        dom = self._lookup(conn, uuid)
        if dom is None:
            return
        try:
            if dom.isActive():
                dom.destroy()
        except libvirt.libvirtError as exc:
            # Already gone, or stopped between isActive() and destroy().
            if not _is_no_domain(exc) and exc.get_error_code() != libvirt.VIR_ERR_OPERATION_INVALID:
                raise
        self._undefine(dom)

    def _undefine(self, dom: libvirt.virDomain) -> None:
        base = (libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
                | libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA)
        attempts = [base] if self.is_test else [base | libvirt.VIR_DOMAIN_UNDEFINE_NVRAM, base]
        for i, flags in enumerate(attempts):
            try:
                dom.undefineFlags(flags)
                return
            except libvirt.libvirtError as exc:
                code = exc.get_error_code()
                if _is_no_domain(exc) or (code == libvirt.VIR_ERR_OPERATION_INVALID
                                          and not dom.isPersistent()):
                    return  # transient domain vanished on destroy, or already undefined
                if i + 1 < len(attempts) and code in (libvirt.VIR_ERR_INVALID_ARG,
                                                      libvirt.VIR_ERR_NO_SUPPORT):
                    continue
                raise

    def _remove_files(self, uuid: str) -> None:
        path = self.instance_dir(uuid)
        try:
            shutil.rmtree(path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise DriverError(f"cannot remove {path}: {exc}") from exc

    def power_state(self, uuid: str) -> int:
        """Nova power state of the domain; ``NOSTATE`` (0) if there is no such domain."""
        uuid = canonical_uuid(uuid)

        def get(conn: libvirt.virConnect) -> int:
            try:
                return self._state(conn.lookupByUUIDString(uuid))
            except libvirt.libvirtError as exc:
                if _is_no_domain(exc):
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
                    if not _is_no_domain(exc):  # vanished while listing
                        raise
            return result

        return self._call("list_instances", collect)
