"""Live migration on a real daemon: ``migrateToURI3`` peer-to-peer, as measured with
libvirt 9.0 and QEMU 7.2 (two daemons with distinct ``host_uuid`` on one machine):

* flags ``LIVE | PEER2PEER | PERSIST_DEST | UNDEFINE_SOURCE``; the source libvirtd connects
  to ``dest_uri`` itself, so that URI must be reachable *from the source daemon* (on one
  machine: ``qemu+tcp://127.0.0.1:<port>/system``; ``qemu:///system`` from a daemon in
  another mount namespace reaches that daemon itself);
* disks on a local file system that are not copied need ``UNSAFE`` ("Migration without
  shared storage is unsafe"); it is added exactly when such a disk exists;
* block migration: ``NON_SHARED_DISK`` with ``migrate_disks=['vda']`` into a disk the
  destination pre-created (``prepare_live_migration_destination``), at another path through
  ``DEST_XML`` / ``PERSIST_XML``;
* ``abortJob()`` from another thread stops it (the guest keeps running on the source);
  pausing the guest makes it converge (no post-copy: it needs
  ``vm.unprivileged_userfaultfd=1``); libvirt resumes the guest on the destination itself.

The test driver has no migration API at all: there ``live_migrate``, ``abort_live_migration``
and ``force_live_migration_complete`` raise NotSupported and the conductor moves the guest with
``export_guest`` → ``import_guest`` → ``destroy`` (see migration.py).
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

import libvirt

from ..driver import PAUSED, RUNNING, DriverError, InstanceSpec, MigrationAborted, canonical_uuid
from . import disks
from . import xml as dxml
from .guests import CONSOLE_LOG_FILE, DISK_FILE, as_spec
from .migration import MigrationMixin

log = logging.getLogger(__name__)

PREPARED_MARKER = ".incoming-migration"
_BASE_FLAGS = (
    libvirt.VIR_MIGRATE_LIVE
    | libvirt.VIR_MIGRATE_PEER2PEER
    | libvirt.VIR_MIGRATE_PERSIST_DEST
    | libvirt.VIR_MIGRATE_UNDEFINE_SOURCE
)


class LiveMigrationMixin(MigrationMixin):
    """live_migrate, abort/force-complete, and the destination's prepare/cleanup."""

    def live_migrate(
        self,
        uuid: str,
        dest_uri: str,
        block_migration: bool,
        timeout: float = 800,
        *,
        dest_disk_path: str | None = None,
        dest_console_log: str | None = None,
        migrate_uri: str | None = None,
        bandwidth_mib: int | None = None,
    ) -> None:
        """Move the running (or paused) guest to the daemon at ``dest_uri``.

        ``migrateToURI3`` with ``LIVE|PEER2PEER|PERSIST_DEST|UNDEFINE_SOURCE``, plus
        ``NON_SHARED_DISK`` (root disk ``vda`` copied into ``dest_disk_path``, default the
        same path, which ``prepare_live_migration_destination`` made) if ``block_migration``,
        plus ``UNSAFE`` if a disk that is not copied sits on a local file system.
        ``migrate_uri`` sets the data connection (``VIR_MIGRATE_PARAM_URI``, e.g.
        ``tcp://127.0.0.1``), ``bandwidth_mib`` caps it (MiB/s; also set with
        ``migrateSetMaxSpeed`` during the call: the disk copy obeys only that). After
        ``timeout`` s the migration is aborted (Nova's ``live_migration_completion_timeout``
        = 800, action abort) and DriverError raised; ``abort_live_migration`` from another
        thread makes it raise MigrationAborted. Either way the guest keeps running here
        (unpaused if ``force_live_migration_complete`` had paused it).

        On success the guest runs on the destination and is undefined here; after a block
        migration this host's copy of its files is removed (unless a QEMU still holds the
        disk, i.e. the destination uses the very same file). Do not call ``destroy`` on the
        source afterwards: with shared storage it would delete the destination's disk.
        """
        if not self.capabilities["supports_migration"]:
            raise self._unsupported("live_migrate (use export_guest / import_guest)")
        uuid = canonical_uuid(uuid)

        def work(conn: libvirt.virConnect, dom: libvirt.virDomain) -> None:
            state = self._state(dom)
            if state not in (RUNNING, PAUSED):
                raise DriverError(f"cannot live-migrate {uuid}: it is not running (power state {state})")
            self._check_no_rescue(dom, "live_migrate")
            root_disk = dxml.root_disk_path(self._xml(dom))
            flags, params = self._migration_plan(dom, block_migration, dest_disk_path, dest_console_log)
            if migrate_uri:
                params[libvirt.VIR_MIGRATE_PARAM_URI] = migrate_uri
            speed = None
            if bandwidth_mib:
                params[libvirt.VIR_MIGRATE_PARAM_BANDWIDTH] = int(bandwidth_mib)
                # the disk copy (NBD mirror) only honours the domain's own maximum speed
                speed = dom.migrateGetMaxSpeed(0)
                dom.migrateSetMaxSpeed(int(bandwidth_mib), 0)
            try:
                self._run_migration(dom, uuid, dest_uri, params, flags, timeout)
            except DriverError:
                if speed is not None:
                    dom.migrateSetMaxSpeed(speed, 0)
                raise
            if block_migration and not (root_disk and disks.in_use(root_disk)):
                self._remove_files(uuid)

        self._on_domain("live_migrate", uuid, work)

    def _migration_plan(
        self,
        dom: libvirt.virDomain,
        block_migration: bool,
        dest_disk_path: str | None,
        dest_console_log: str | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """Flags and parameters for migrateToURI3 (see the module docstring)."""
        live = self._xml(dom)
        root_disk = dxml.root_disk_path(live)
        flags = _BASE_FLAGS
        params: dict[str, Any] = {}
        copied: set[str] = set()
        new_disk = None
        if block_migration and root_disk:
            flags |= libvirt.VIR_MIGRATE_NON_SHARED_DISK
            params[libvirt.VIR_MIGRATE_PARAM_MIGRATE_DISKS] = [dxml.ROOT_DEV]
            copied.add(dxml.ROOT_DEV)
            if dest_disk_path and os.path.abspath(dest_disk_path) != root_disk:
                new_disk = os.path.abspath(dest_disk_path)
        current_log = dxml.console_log_path(live)
        new_log = dest_console_log if current_log and dest_console_log and dest_console_log != current_log else None
        if new_disk or new_log:
            for key, xml_flags in (
                (libvirt.VIR_MIGRATE_PARAM_DEST_XML, libvirt.VIR_DOMAIN_XML_MIGRATABLE),
                (
                    libvirt.VIR_MIGRATE_PARAM_PERSIST_XML,
                    libvirt.VIR_DOMAIN_XML_MIGRATABLE | libvirt.VIR_DOMAIN_XML_INACTIVE,
                ),
            ):
                root = dxml.parse(dom.XMLDesc(xml_flags))
                if new_disk:
                    dxml.set_disk_path(root, dxml.ROOT_DEV, new_disk)
                if new_log:
                    dxml.set_console_log_path(root, new_log)
                params[key] = dxml.tostring(root)
        if any(d["device"] not in copied and not disks.is_shared_fs(d["path"]) for d in dxml.file_disks(live)):
            flags |= libvirt.VIR_MIGRATE_UNSAFE
        return flags, params

    def _run_migration(
        self, dom: libvirt.virDomain, uuid: str, dest_uri: str, params: dict[str, Any], flags: int, timeout: float
    ) -> None:
        """migrateToURI3 on a connection of its own: while it runs, other calls on the same
        client connection stall after a few seconds (measured, libvirt 9.0), and abort,
        force-complete and ``power_state`` must keep working through the shared one."""
        job = {"dom": dom, "aborted": False, "paused": False, "timed_out": False}

        def on_timeout() -> None:
            job["timed_out"] = True
            self._abort_job(dom)

        try:
            mig_conn = libvirt.open(self._effective_uri())
            mig_dom = mig_conn.lookupByUUIDString(uuid)
        except libvirt.libvirtError as exc:
            raise DriverError(f"live_migrate: cannot open a connection for it: {exc}") from exc
        timer = threading.Timer(timeout, on_timeout)
        timer.daemon = True
        self._running_migrations[uuid] = job
        timer.start()
        try:
            mig_dom.migrateToURI3(dest_uri, params, flags)
        except libvirt.libvirtError as exc:
            if job["paused"]:
                self._resume_quietly(dom)
            if job["aborted"]:
                raise MigrationAborted(f"live migration of {uuid} aborted: {exc.get_error_message()}") from exc
            if job["timed_out"]:
                raise DriverError(
                    f"live migration of {uuid} did not complete within {timeout:.0f} s and was aborted"
                ) from exc
            raise DriverError(f"live migration of {uuid} to {dest_uri} failed: {exc.get_error_message()}") from exc
        finally:
            timer.cancel()
            self._running_migrations.pop(uuid, None)
            try:
                mig_conn.close()
            except libvirt.libvirtError:
                pass

    @staticmethod
    def _abort_job(dom: libvirt.virDomain) -> None:
        try:
            dom.abortJob()
        except libvirt.libvirtError as exc:  # no job (finished meanwhile) or domain gone
            log.info("abortJob on %s: %s", dom.UUIDString(), exc)

    @staticmethod
    def _resume_quietly(dom: libvirt.virDomain) -> None:
        try:
            if dom.state()[0] == libvirt.VIR_DOMAIN_PAUSED:
                dom.resume()
        except libvirt.libvirtError as exc:
            log.warning("could not resume %s after a failed migration: %s", dom.UUIDString(), exc)

    def abort_live_migration(self, uuid: str) -> None:
        """Abort the running live migration of ``uuid`` (``abortJob()``); ``live_migrate``
        then raises MigrationAborted and the guest stays here. Meant to be called from
        another thread while ``live_migrate`` runs, so it does not take the per-uuid lock.
        No migration running: nothing happens. Test driver: NotSupported."""
        if not self.capabilities["supports_migration"]:
            raise self._unsupported("abort_live_migration")
        uuid = canonical_uuid(uuid)
        job = self._running_migrations.get(uuid)
        if job is not None:
            job["aborted"] = True
            self._abort_job(job["dom"])
            return

        def work(conn: libvirt.virConnect) -> None:
            dom = self._lookup(conn, uuid)
            if dom is not None and dom.jobInfo()[0] != libvirt.VIR_DOMAIN_JOB_NONE:
                self._abort_job(dom)  # a migration started by another process

        self._call("abort_live_migration", work)

    def force_live_migration_complete(self, uuid: str) -> None:
        """Make the running live migration converge by pausing the guest (Nova's
        force-complete without post-copy); libvirt resumes it on the destination, and
        ``live_migrate`` resumes it here if the migration fails after all. No lock (called
        while ``live_migrate`` runs); no migration running: nothing happens. Test driver:
        NotSupported."""
        if not self.capabilities["supports_migration"]:
            raise self._unsupported("force_live_migration_complete")
        uuid = canonical_uuid(uuid)
        job = self._running_migrations.get(uuid)

        def work(conn: libvirt.virConnect) -> None:
            dom = job["dom"] if job else self._lookup(conn, uuid)
            if dom is None or dom.jobInfo()[0] == libvirt.VIR_DOMAIN_JOB_NONE:
                return
            if dom.state()[0] == libvirt.VIR_DOMAIN_RUNNING:
                dom.suspend()
                if job is not None:
                    job["paused"] = True

        self._call("force_live_migration_complete", work)

    # -- destination side ----------------------------------------------------------------------

    def prepare_live_migration_destination(
        self, spec: InstanceSpec | dict[str, Any], block_migration: bool = True, disk_bytes: int | None = None
    ) -> dict[str, Any]:
        """Make ``<instances_dir>/<uuid>`` (marked as made for an incoming migration) and, on
        a real daemon with ``block_migration``, an empty qcow2 root disk there of
        ``disk_bytes`` (default: what ``spawn`` gives ``spec``: ``root_gb``, or the image's
        size if larger) for ``NON_SHARED_DISK`` to copy into. An existing disk is never
        touched (shared storage: it is the source's). Returns ``{"disk_path", "console_log"}``
        (disk_path None on the test driver or without a disk): pass them to
        ``live_migrate`` as ``dest_disk_path`` and ``dest_console_log``."""
        spec = as_spec(spec)

        def work(conn: libvirt.virConnect) -> dict[str, Any]:
            inst_dir = self.instance_dir(spec.uuid)
            if not os.path.isdir(inst_dir):
                os.makedirs(inst_dir, mode=0o755)
                with open(os.path.join(inst_dir, PREPARED_MARKER), "w", encoding="utf-8"):
                    pass
            disk = os.path.join(inst_dir, DISK_FILE)
            console_log = os.path.join(inst_dir, CONSOLE_LOG_FILE)
            if self.is_test or not block_migration:
                return {"disk_path": disk if os.path.exists(disk) else None, "console_log": console_log}
            size = (
                disk_bytes
                if disk_bytes is not None
                else disks.root_disk_bytes(spec.root_gb, spec.image_path, spec.image_format)
            )
            if not size and not os.path.exists(disk):
                return {"disk_path": None, "console_log": console_log}
            return {"disk_path": disks.create_blank(disk, size), "console_log": console_log}

        return self._locked("prepare_live_migration_destination", spec.uuid, work)

    def cleanup_live_migration_destination(self, uuid: str) -> None:
        """Roll back a failed incoming migration: destroy and undefine a guest with this
        UUID here (left by ``import_guest``; libvirt cleans up after a failed
        ``migrateToURI3`` itself) and remove ``<instances_dir>/<uuid>`` if
        ``prepare_live_migration_destination`` made it. Idempotent."""
        uuid = canonical_uuid(uuid)

        def work(conn: libvirt.virConnect) -> None:
            dom = self._lookup(conn, uuid)
            if dom is not None:
                self._kill(dom)
                self._undefine(dom)
            if os.path.exists(os.path.join(self.instance_dir(uuid), PREPARED_MARKER)):
                self._remove_files(uuid)

        self._locked("cleanup_live_migration_destination", uuid, work)
