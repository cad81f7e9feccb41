"""Building, rebuilding, resizing in place, rescuing and destroying guests.

A guest's files live in ``<instances_dir>/<uuid>/``: ``disk`` (qcow2 overlay over the image,
real daemon only), and while rescued ``disk.rescue`` and ``unrescue.xml`` (the definition to
restore). Whenever a guest is defined again from a spec (rebuild, redefine, revert), the
volumes and ports of its previous definition are kept, with the spec's own added.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import libvirt

from ..driver import INSTANCE_NAME_PREFIX, DriverError, InstanceSpec, canonical_uuid
from . import disks
from . import xml as dxml
from .errors import is_no_domain
from .power import PowerMixin

log = logging.getLogger(__name__)

DISK_FILE = "disk"
CONSOLE_LOG_FILE = "console.log"
RESCUE_DISK_FILE = "disk.rescue"
UNRESCUE_FILE = "unrescue.xml"


def as_spec(spec: InstanceSpec | dict[str, Any]) -> InstanceSpec:
    spec = InstanceSpec.from_dict(spec) if isinstance(spec, dict) else spec
    if not spec.name.startswith(INSTANCE_NAME_PREFIX):
        raise ValueError(f"domain name must start with {INSTANCE_NAME_PREFIX!r}: {spec.name!r}")
    return spec


def carried_devices(root: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The volumes and (our, port-id carrying) NICs of a definition, to define them again."""
    nics = [
        {"id": n["id"], "mac_address": n["mac_address"]} for n in dxml.interfaces(root) if n["id"] and n["mac_address"]
    ]
    return dxml.volumes(root), nics


class GuestsMixin(PowerMixin):
    """spawn, destroy, rebuild, redefine, rescue, unrescue."""

    def domain_xml(
        self,
        spec: InstanceSpec,
        disk_path: str | None = None,
        *,
        volumes: list[dict[str, Any]] | tuple = (),
        interfaces: list[dict[str, Any]] | tuple = (),
    ) -> str:
        """The domain XML for ``spec`` (see ``xml.build_domain``): ``type='qemu'`` (TCG) on a
        real daemon (with VNC graphics on ``vnc_listen``), ``type='test'`` without disk,
        console, graphics or balloon on the test driver."""
        return dxml.tostring(
            dxml.build_domain(
                spec,
                domain_type="test" if self.is_test else "qemu",
                disk_path=disk_path,
                nic_type=self.nic_type,
                volumes=volumes,
                interfaces=interfaces,
                console_log=os.path.join(self.instance_dir(spec.uuid), CONSOLE_LOG_FILE),
                vnc_listen=self.vnc_listen,
            )
        )

    def _define(
        self, conn: libvirt.virConnect, spec: InstanceSpec, disk_path: str | None, old_root: Any = None
    ) -> libvirt.virDomain:
        """defineXML from ``spec`` plus the volumes and NICs of ``old_root`` (if given)."""
        volumes, nics = carried_devices(old_root) if old_root is not None else ((), ())
        return conn.defineXML(self.domain_xml(spec, disk_path, volumes=volumes, interfaces=nics))

    def _root_disk(self, uuid: str) -> str | None:
        """``<instance dir>/disk`` if it exists (never on the test driver)."""
        path = os.path.join(self.instance_dir(uuid), DISK_FILE)
        return path if not self.is_test and os.path.exists(path) else None

    # -- spawn and destroy ----------------------------------------------------------------------

    def spawn(self, spec: InstanceSpec | dict[str, Any]) -> int:
        """Define and start the domain; return its Nova power state.

        Idempotent: if a domain with ``spec.uuid`` exists it is started if not running.
        On a real daemon, if ``image_path`` exists, the root disk is a qcow2 overlay
        ``<instances_dir>/<uuid>/disk`` over it (``qemu-img create -f qcow2 -F <fmt> -b``,
        grown to ``root_gb`` if larger); without a usable image the guest boots diskless.
        ``spec.volumes`` and ``spec.interfaces`` are part of the definition. The test driver
        never gets a disk. A failed build is undefined and its files removed.
        """
        spec = as_spec(spec)
        return self._locked("spawn", spec.uuid, lambda conn: self._spawn(conn, spec))

    def _spawn(self, conn: libvirt.virConnect, spec: InstanceSpec) -> int:
        dom = self._lookup(conn, spec.uuid)
        if dom is not None:
            self._start(dom)
            return self._state(dom)
        disk = None if self.is_test else self._prepare_disk(spec)
        return self._define_and_start(conn, spec, disk, power_on=True)

    def _define_and_start(
        self, conn: libvirt.virConnect, spec: InstanceSpec, disk: str | None, power_on: bool, old_root: Any = None
    ) -> int:
        """Define (and start if ``power_on``); on failure undefine and remove the files."""
        dom = None
        try:
            dom = self._define(conn, spec, disk, old_root)
            return self._apply_power(dom, power_on)
        except libvirt.libvirtError:
            log.exception("building %s failed; removing what was made", spec.uuid)
            if dom is not None:
                self._kill(dom)
                self._undefine(dom)
            self._remove_files(spec.uuid)
            raise

    def _prepare_disk(self, spec: InstanceSpec) -> str | None:
        """Create the qcow2 overlay for a real daemon; return its path (None: no disk)."""
        if not spec.image_path:
            return None
        image = os.path.abspath(spec.image_path)
        if not os.path.isfile(image):
            log.warning("image %s for %s not found; booting without a disk", image, spec.uuid)
            return None
        path = os.path.join(self.instance_dir(spec.uuid), DISK_FILE)
        if os.path.exists(path):
            return path
        size = disks.root_disk_bytes(spec.root_gb, image, spec.image_format)
        return disks.create_overlay(image, spec.image_format, path, size)

    def destroy(self, uuid: str) -> None:
        """Stop and undefine the domain, then remove ``<instances_dir>/<uuid>``.

        Undefine uses ``MANAGED_SAVE | SNAPSHOTS_METADATA | NVRAM``; the test driver
        rejects the NVRAM flag, so it is left out there (and on any daemon that refuses it).
        An unknown UUID is fine (leftover files are still removed). ``<uuid>_resize`` (a
        resize's source copy) is left alone: confirm_migration removes it. Files are kept if
        a running QEMU still holds the root disk: after a live migration over shared storage
        the destination runs on that very file.
        """
        uuid = canonical_uuid(uuid)

        def work(conn: libvirt.virConnect) -> None:
            dom = self._lookup(conn, uuid)
            if dom is not None:
                self._kill(dom)
                self._undefine(dom)
            disk = self._root_disk(uuid)
            if disk and disks.in_use(disk):
                log.warning(
                    "destroy %s: %s is in use by a running guest (shared storage?); keeping the files", uuid, disk
                )
                return
            self._remove_files(uuid)

        self._locked("destroy", uuid, work)

    def _undefine(self, dom: libvirt.virDomain) -> None:
        base = libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA
        attempts = [base] if self.is_test else [base | libvirt.VIR_DOMAIN_UNDEFINE_NVRAM, base]
        for i, flags in enumerate(attempts):
            try:
                dom.undefineFlags(flags)
                return
            except libvirt.libvirtError as exc:
                code = exc.get_error_code()
                if is_no_domain(exc) or (code == libvirt.VIR_ERR_OPERATION_INVALID and not dom.isPersistent()):
                    return  # transient domain vanished on destroy, or already undefined
                if i + 1 < len(attempts) and code in (libvirt.VIR_ERR_INVALID_ARG, libvirt.VIR_ERR_NO_SUPPORT):
                    continue
                raise

    # -- rebuild and in-place resize ----------------------------------------------------------

    def rebuild(self, spec: InstanceSpec | dict[str, Any], power_on: bool) -> int:
        """Replace the root disk with a fresh one from ``spec.image_path`` and define the
        guest again from ``spec`` under the same UUID, keeping its volumes and NICs; start it
        only if ``power_on`` (a stopped server stays stopped). The old domain is destroyed
        and undefined and ``<instances_dir>/<uuid>`` emptied first. A guest this host does
        not have is simply built (evacuate). Test driver: no disk, only the definition."""
        spec = as_spec(spec)

        def work(conn: libvirt.virConnect) -> int:
            dom = self._lookup(conn, spec.uuid)
            old_root = None
            if dom is not None:
                old_root = self._xml(dom, inactive=True)
                self._kill(dom)
                self._undefine(dom)
            self._remove_files(spec.uuid)
            disk = None if self.is_test else self._prepare_disk(spec)
            return self._define_and_start(conn, spec, disk, power_on, old_root)

        return self._locked("rebuild", spec.uuid, work)

    def redefine(self, spec: InstanceSpec | dict[str, Any], power_on: bool, timeout: float | None = None) -> int:
        """Same-host resize: stop the guest (clean shutdown, up to ``timeout`` s), grow its
        root disk to ``spec.root_gb`` (``qemu-img resize``; shrinking is refused), define it
        again with ``spec``'s vCPUs and memory (volumes and NICs kept), start if
        ``power_on``. Test driver: the definition only."""
        spec = as_spec(spec)

        def work(conn: libvirt.virConnect, dom: libvirt.virDomain) -> int:
            old_root = self._xml(dom, inactive=True)
            self._stop(dom, clean=True, timeout=timeout)
            disk = None if self.is_test else dxml.root_disk_path(old_root)
            if disk and spec.root_gb:
                disks.grow(disk, spec.root_gb * disks.GIB)
            dom = self._define(conn, spec, disk, old_root)
            return self._apply_power(dom, power_on)

        return self._on_domain("redefine", spec.uuid, work)

    # -- rescue -------------------------------------------------------------------------------

    def rescue(
        self, spec: InstanceSpec | dict[str, Any], rescue_image_path: str | None, rescue_image_format: str | None = None
    ) -> int:
        """Boot from a rescue disk with the original root disk attached second.

        The persistent definition is saved to ``<instance dir>/unrescue.xml`` (for
        ``unrescue``), then the guest is destroyed and defined again with ``disk.rescue`` (a
        qcow2 overlay over ``rescue_image_path``, else over ``spec.image_path``; format
        probed unless given) as ``vda`` (boot order 1) and the original disk as ``vdb``, and
        started: RUNNING (1). Volumes and NICs stay. Test driver: no disks, the definition
        is only marked ``<novasite:rescue/>``. Idempotent: a rescued guest is just started.
        """
        spec = as_spec(spec)

        def work(conn: libvirt.virConnect, dom: libvirt.virDomain) -> int:
            saved = os.path.join(self.instance_dir(spec.uuid), UNRESCUE_FILE)
            if os.path.exists(saved):
                return self._apply_power(dom, True)
            original = self._xml(dom, inactive=True)
            rescue_disk = None if self.is_test else self._rescue_disk(spec, rescue_image_path, rescue_image_format)
            os.makedirs(os.path.dirname(saved), mode=0o755, exist_ok=True)
            with open(saved + ".part", "w", encoding="utf-8") as fh:
                fh.write(dxml.tostring(original))
            os.replace(saved + ".part", saved)
            self._stop(dom, clean=False, timeout=0)
            dom = conn.defineXML(dxml.tostring(dxml.rescue_domain(original, rescue_disk)))
            return self._apply_power(dom, True)

        return self._on_domain("rescue", spec.uuid, work)

    def _rescue_disk(self, spec: InstanceSpec, image: str | None, fmt: str | None) -> str | None:
        if not image:
            image, fmt = spec.image_path, spec.image_format
        if not image or not os.path.isfile(image):
            log.warning("no rescue image for %s; rescuing without a rescue disk", spec.uuid)
            return None
        image = os.path.abspath(image)
        fmt = fmt or disks.info(image)["format"]
        path = os.path.join(self.instance_dir(spec.uuid), RESCUE_DISK_FILE)
        return disks.create_overlay(image, fmt, path, 0)

    def unrescue(self, uuid: str) -> int:
        """Destroy the rescue guest, define the saved ``unrescue.xml`` again, remove the
        rescue files and start: RUNNING (1). A guest that is not rescued is just started."""

        def work(conn: libvirt.virConnect, dom: libvirt.virDomain) -> int:
            inst_dir = self.instance_dir(uuid)
            saved = os.path.join(inst_dir, UNRESCUE_FILE)
            if not os.path.exists(saved):
                return self._apply_power(dom, True)
            with open(saved, encoding="utf-8") as fh:
                original = fh.read()
            self._stop(dom, clean=False, timeout=0)
            dom = conn.defineXML(original)
            for name in (RESCUE_DISK_FILE, UNRESCUE_FILE):
                try:
                    os.unlink(os.path.join(inst_dir, name))
                except FileNotFoundError:
                    pass
            return self._apply_power(dom, True)

        return self._on_domain("unrescue", uuid, work)

    def _check_no_rescue(self, dom: libvirt.virDomain, what: str) -> None:
        if dxml.is_rescue(self._xml(dom, inactive=True)):
            raise DriverError(f"{what}: {dom.UUIDString()} is in rescue mode; unrescue it first")
