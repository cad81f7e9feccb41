"""Cold migration and resize (Nova's migrate_disk_and_power_off → finish_migration →
confirm / revert), and moving a guest by its definition (export_guest → import_guest).

Cold migration on disk: the source renames ``<instances_dir>/<uuid>`` to
``<instances_dir>/<uuid>_resize`` (with the old definition saved there as ``domain.xml``)
and undefines the guest; the destination ``qemu-img convert``s the root disk from there into
its own ``<instances_dir>/<uuid>/disk`` as a standalone qcow2 (so the destination needs
neither the image nor the same directory: another directory of the same machine or a shared
file system both work) and grows it to the new flavor's ``root_gb``. Confirm deletes the
``_resize`` directory; revert renames it back. A resize to the same host works the same way.
"""

from __future__ import annotations

import logging
import os
import shutil
from typing import Any

import libvirt

from ..driver import (
    INSTANCE_NAME_PREFIX,
    PAUSED,
    RUNNING,
    SUSPENDED,
    DriverError,
    InstanceNotFound,
    InstanceSpec,
    canonical_uuid,
)
from . import disks
from . import xml as dxml
from .guests import DISK_FILE, GuestsMixin, as_spec, carried_devices

log = logging.getLogger(__name__)

RESIZE_SUFFIX = "_resize"
SAVED_DOMAIN_FILE = "domain.xml"


class MigrationMixin(GuestsMixin):
    """Cold migration / resize and export / import."""

    def _resize_dir(self, uuid: str) -> str:
        return self.instance_dir(uuid) + RESIZE_SUFFIX

    def _saved(self, directory: str) -> Any:
        """The definition ``migrate_disk_and_power_off`` saved in ``directory``, or None."""
        saved = os.path.join(directory, SAVED_DOMAIN_FILE)
        if not os.path.exists(saved):
            return None
        with open(saved, encoding="utf-8") as fh:
            return dxml.parse(fh.read())

    def _saved_root_disk(self, uuid: str, directory: str, saved: Any) -> str | None:
        """The root disk of the saved definition, as found now that the instance directory
        is ``directory``. A disk outside the instance directory (shared storage elsewhere)
        stays where it is."""
        path = dxml.root_disk_path(saved) if saved is not None else None
        if path is None:
            path = os.path.join(self.instance_dir(uuid), DISK_FILE)
        inst_dir = self.instance_dir(uuid)
        if path.startswith(inst_dir + os.sep):
            path = directory + path[len(inst_dir) :]
        return path if not self.is_test and os.path.exists(path) else None

    def _resize_result(self, uuid: str) -> dict[str, Any]:
        """``{"disk_path", "volumes", "interfaces"}`` from what is set aside in ``_resize``."""
        resize_dir = self._resize_dir(uuid)
        saved = self._saved(resize_dir)
        volumes, nics = carried_devices(saved) if saved is not None else ([], [])
        return {"disk_path": self._saved_root_disk(uuid, resize_dir, saved), "volumes": volumes, "interfaces": nics}

    def migrate_disk_and_power_off(
        self, uuid: str, clean_shutdown: bool = True, timeout: float | None = None
    ) -> dict[str, Any]:
        """Source side of a cold migration or resize.

        Powers the guest off (ACPI, up to ``timeout`` s, then forced; a managed save image is
        dropped), saves its persistent definition as ``domain.xml``, renames the instance
        directory to ``<uuid>_resize`` and undefines the guest. Returns ``{"disk_path": the
        kept root disk (in ``_resize``, or where it is if it lives outside the instance
        directory) or None (test driver, diskless guest), "volumes": [...],
        "interfaces": [...]}``: the volume and port dicts it had, to put in the
        destination's spec. Idempotent: once the guest is gone, the same answer is given
        from the ``_resize`` directory.
        """
        uuid = canonical_uuid(uuid)

        def work(conn: libvirt.virConnect) -> dict[str, Any]:
            inst_dir, resize_dir = self.instance_dir(uuid), self._resize_dir(uuid)
            dom = self._lookup(conn, uuid)
            if dom is None:
                if os.path.isdir(resize_dir):
                    return self._resize_result(uuid)
                raise InstanceNotFound(f"no guest {uuid} on this host ({self.uri})")
            self._check_no_rescue(dom, "migrate_disk_and_power_off")
            if not os.path.isdir(resize_dir):
                self._stop(dom, clean_shutdown, timeout)
                self._save_definition(dom, inst_dir)  # makes inst_dir if it had no files
                os.rename(inst_dir, resize_dir)
            elif os.path.isdir(inst_dir):
                raise DriverError(
                    f"{resize_dir} exists: an earlier resize of {uuid} was neither confirmed nor reverted"
                )
            # else: a redelivery after the rename; finish the job
            self._kill(dom)
            self._undefine(dom)
            return self._resize_result(uuid)

        return self._locked("migrate_disk_and_power_off", uuid, work)

    def _save_definition(self, dom: libvirt.virDomain, directory: str) -> None:
        os.makedirs(directory, mode=0o755, exist_ok=True)
        path = os.path.join(directory, SAVED_DOMAIN_FILE)
        with open(path + ".part", "w", encoding="utf-8") as fh:
            fh.write(dxml.tostring(self._xml(dom, inactive=True)))
        os.replace(path + ".part", path)

    def finish_migration(
        self, spec: InstanceSpec | dict[str, Any], source_disk_path: str | None, power_on: bool
    ) -> int:
        """Destination side: copy ``source_disk_path`` (``qemu-img convert`` to a standalone
        qcow2 in ``<instances_dir>/<uuid>/disk``, then grown to ``spec.root_gb``), define the
        guest with ``spec`` (the new flavor; put the volumes and interfaces that
        ``migrate_disk_and_power_off`` returned in ``spec``) and start it if ``power_on``.
        Idempotent: a guest already defined here only gets its power state applied. Test
        driver, or no source disk: the definition only."""
        spec = as_spec(spec)

        def work(conn: libvirt.virConnect) -> int:
            dom = self._lookup(conn, spec.uuid)
            if dom is not None:
                return self._apply_power(dom, power_on)
            disk = None
            if not self.is_test and source_disk_path:
                disk = os.path.join(self.instance_dir(spec.uuid), DISK_FILE)
                if not os.path.exists(disk):
                    if not os.path.exists(source_disk_path):
                        raise DriverError(f"source disk {source_disk_path} is not reachable from this host")
                    size = disks.virtual_size(source_disk_path)
                    if spec.root_gb and spec.root_gb * disks.GIB < size:
                        raise DriverError(
                            f"cannot resize {spec.uuid} to a {spec.root_gb} GiB root disk: its disk is {size} bytes"
                        )
                    disks.convert(source_disk_path, disk, "qcow2")
                if spec.root_gb:
                    disks.grow(disk, spec.root_gb * disks.GIB)
            return self._define_and_start(conn, spec, disk, power_on)

        return self._locked("finish_migration", spec.uuid, work)

    def confirm_migration(self, uuid: str) -> None:
        """Source side: delete ``<uuid>_resize`` (idempotent)."""
        uuid = canonical_uuid(uuid)
        self._locked("confirm_migration", uuid, lambda conn: self._remove_files(uuid, RESIZE_SUFFIX))

    def finish_revert_migration(self, spec: InstanceSpec | dict[str, Any], power_on: bool) -> int:
        """Source side of a revert: rename ``<uuid>_resize`` back to ``<uuid>``, define the
        guest with ``spec`` (the old flavor) plus the volumes and NICs of the saved
        definition, start it if ``power_on``.

        If a guest with this UUID is defined here while ``_resize`` still exists (a resize to
        the same host whose destination guest was not destroyed yet), it is destroyed first.
        Idempotent: once reverted, only the power state is applied."""
        spec = as_spec(spec)

        def work(conn: libvirt.virConnect) -> int:
            inst_dir, resize_dir = self.instance_dir(spec.uuid), self._resize_dir(spec.uuid)
            dom = self._lookup(conn, spec.uuid)
            if not os.path.isdir(resize_dir):
                if dom is not None:
                    return self._apply_power(dom, power_on)
                raise DriverError(f"nothing to revert for {spec.uuid}: no {resize_dir}")
            if dom is not None:
                self._kill(dom)
                self._undefine(dom)
            if os.path.exists(inst_dir):
                shutil.rmtree(inst_dir)
            os.rename(resize_dir, inst_dir)
            old_root = self._saved(inst_dir)
            disk = self._saved_root_disk(spec.uuid, inst_dir, old_root)
            if disk and spec.root_gb:
                disks.grow(disk, spec.root_gb * disks.GIB)
            dom = self._define(conn, spec, disk, old_root)
            if old_root is not None:
                os.unlink(os.path.join(inst_dir, SAVED_DOMAIN_FILE))
            return self._apply_power(dom, power_on)

        return self._locked("finish_revert_migration", spec.uuid, work)

    # -- moving a guest by its definition ----------------------------------------------------

    def export_guest(self, uuid: str) -> dict[str, Any]:
        """Source side of a move without hypervisor migration: ``{"xml": the persistent
        definition, "power_state"}``. The conductor runs export on the source →
        ``import_guest`` on the destination → ``destroy`` on the source.

        This is how guests "live-migrate" on the test driver, which has no migration API
        (``capabilities["supports_migration"]`` is False there): the definition, including
        hot-plugged volumes and NICs, moves and the power state is recreated. On a real
        daemon it is a cold move (memory is not carried; disks must be at the same paths on
        both hosts): use ``live_migrate`` there."""

        def work(conn: libvirt.virConnect, dom: libvirt.virDomain) -> dict[str, Any]:
            return {"xml": dxml.tostring(self._xml(dom, inactive=True)), "power_state": self._state(dom)}

        return self._on_domain("export_guest", uuid, work)

    def import_guest(self, xml: str, power_state: int) -> int:
        """Destination side of ``export_guest``: define the guest from ``xml`` and bring it to
        ``power_state`` (RUNNING: started; PAUSED: started and paused; SUSPENDED: started and
        managed-saved; SHUTDOWN/NOSTATE/CRASHED: left off). Idempotent: a guest already
        defined here is only brought to the power state. Roll back with
        ``cleanup_live_migration_destination``."""
        root = dxml.parse(xml)
        uuid = canonical_uuid(root.findtext("uuid") or "")
        name = root.findtext("name") or ""
        if not name.startswith(INSTANCE_NAME_PREFIX):
            raise ValueError(f"domain name must start with {INSTANCE_NAME_PREFIX!r}: {name!r}")

        def work(conn: libvirt.virConnect) -> int:
            dom = self._lookup(conn, uuid) or conn.defineXML(xml)
            if self._state(dom) == power_state:
                return power_state
            if power_state in (RUNNING, PAUSED, SUSPENDED):
                self._apply_power(dom, True)
                if power_state == PAUSED:
                    dom.suspend()
                elif power_state == SUSPENDED:
                    dom.managedSave(0)
            else:
                self._stop(dom, clean=False, timeout=0)
            return self._state(dom)

        return self._locked("import_guest", uuid, work)
