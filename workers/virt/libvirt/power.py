"""Power operations, password, NMI and snapshots of one guest.

Measured behaviour this code is written for (libvirt 9.0, QEMU 7.2 under TCG):

* ``shutdown()`` (ACPI) only works if the guest OS reacts; a guest without an OS never stops,
  so every clean stop or soft reboot ends in a forced ``destroy()`` after the timeout. The test
  driver shuts off at once.
* ``managedSave()`` leaves the domain shut off with a save image, which ``create()`` restores;
  such a domain reports power state SUSPENDED (7), as ``suspend`` promises.
* ``setUserPassword`` needs a QEMU guest agent; our QEMU guests have none (NotSupported). The
  test driver fakes it. ``injectNMI`` works on both.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

import libvirt

from ..driver import PAUSED, RUNNING, SUSPENDED, DriverError, NotSupported
from . import disks
from . import xml as dxml
from .connection import LibvirtBase
from .errors import is_no_domain, is_not_running

log = logging.getLogger(__name__)

_AGENT_ERRORS = frozenset(
    getattr(libvirt, name)
    for name in (
        "VIR_ERR_ARGUMENT_UNSUPPORTED",
        "VIR_ERR_AGENT_UNRESPONSIVE",
        "VIR_ERR_AGENT_UNSYNCED",
        "VIR_ERR_AGENT_COMMAND_TIMEOUT",
        "VIR_ERR_NO_SUPPORT",
        "VIR_ERR_OPERATION_UNSUPPORTED",
    )
    if hasattr(libvirt, name)
)
SNAPSHOT_FORMATS = ("qcow2", "raw")


class PowerMixin(LibvirtBase):
    """power_off/on, reboot, pause/unpause, suspend/resume, set_admin_password, inject_nmi,
    snapshot; and the stop/start helpers the other operations use."""

    POLL_INTERVAL = 0.2
    SHUTDOWN_RETRY_INTERVAL = 10.0  # re-send the ACPI request, as Nova does

    # -- helpers (the per-uuid lock is held by the caller) -------------------------------------

    def _timeout(self, timeout: float | None) -> float:
        return self.shutdown_timeout if timeout is None else max(0.0, float(timeout))

    @staticmethod
    def _kill(dom: libvirt.virDomain) -> None:
        """Force the guest off; a guest already off (or gone) is fine."""
        try:
            if dom.isActive():
                dom.destroy()
        except libvirt.libvirtError as exc:
            if not (is_no_domain(exc) or is_not_running(exc)):
                raise

    def _wait_inactive(self, dom: libvirt.virDomain, timeout: float) -> bool:
        """Wait up to ``timeout`` s for the guest to stop, repeating the ACPI request."""
        deadline = time.monotonic() + timeout
        next_retry = time.monotonic() + self.SHUTDOWN_RETRY_INTERVAL
        while dom.isActive():
            now = time.monotonic()
            if now >= deadline:
                return False
            if now >= next_retry:
                next_retry = now + self.SHUTDOWN_RETRY_INTERVAL
                try:
                    dom.shutdown()
                except libvirt.libvirtError as exc:
                    if not is_not_running(exc):
                        raise
            time.sleep(min(self.POLL_INTERVAL, max(0.0, deadline - now)))
        return True

    def _stop(self, dom: libvirt.virDomain, clean: bool, timeout: float | None) -> None:
        """Bring the guest to SHUTDOWN: drop a managed save image; if running and ``clean``,
        ACPI shutdown and wait; then force it off."""
        if not dom.isActive():
            if dom.hasManagedSaveImage(0):
                dom.managedSaveRemove(0)
            return
        if clean and self._state(dom) == RUNNING:
            try:
                dom.shutdown()
            except libvirt.libvirtError as exc:
                if not is_not_running(exc):
                    raise
            if self._wait_inactive(dom, self._timeout(timeout)):
                return
            log.info(
                "%s ignored the ACPI shutdown for %.0f s; forcing it off", dom.UUIDString(), self._timeout(timeout)
            )
        self._kill(dom)

    @staticmethod
    def _start(dom: libvirt.virDomain) -> None:
        """Start the guest if it is off (``create()`` restores a managed save image)."""
        if not dom.isActive():
            try:
                dom.create()
            except libvirt.libvirtError as exc:
                if not (is_not_running(exc) and dom.isActive()):  # raced with another start
                    raise

    def _apply_power(self, dom: libvirt.virDomain, power_on: bool) -> int:
        """After (re)defining: start the guest if ``power_on``, else leave it off."""
        if power_on:
            self._start(dom)
            if self._state(dom) == PAUSED:
                dom.resume()
        return self._state(dom)

    # -- power operations --------------------------------------------------------------------

    def power_off(self, uuid: str, clean_shutdown: bool = True, timeout: float | None = None) -> int:
        """Stop the guest: ACPI ``shutdown()`` and wait up to ``timeout`` s (default: the
        driver's ``shutdown_timeout``, 60 s) while it is running, then ``destroy()``.
        ``clean_shutdown=False`` destroys at once. A managed save image (suspended guest) is
        discarded, so the result is always SHUTDOWN (4). On QEMU a guest without an OS
        ignores ACPI, so this takes the whole timeout; the test driver stops at once."""

        def work(conn: libvirt.virConnect, dom: libvirt.virDomain) -> int:
            self._stop(dom, clean_shutdown, timeout)
            return self._state(dom)

        return self._on_domain("power_off", uuid, work)

    def power_on(self, uuid: str) -> int:
        """Start the guest (``create()``, which restores a managed save image if there is
        one); a running or paused guest is left as it is."""

        def work(conn: libvirt.virConnect, dom: libvirt.virDomain) -> int:
            self._start(dom)
            return self._state(dom)

        return self._on_domain("power_on", uuid, work)

    def reboot(self, uuid: str, hard: bool, timeout: float | None = None) -> int:
        """Reboot; returns RUNNING (1).

        Soft (as Nova's libvirt driver does it, so that we know the guest reacted): ACPI
        ``shutdown()``, wait up to ``timeout`` s (default ``shutdown_timeout``) for it to stop,
        then ``create()``. If the guest ignores the request (QEMU without an OS), or is not
        running (paused, suspended, off), it falls back to hard. Hard: ``destroy()``, discard
        any managed save image, ``create()``."""

        def work(conn: libvirt.virConnect, dom: libvirt.virDomain) -> int:
            if not hard and self._state(dom) == RUNNING:
                try:
                    dom.shutdown()
                except libvirt.libvirtError as exc:
                    if not is_not_running(exc):
                        raise
                if not self._wait_inactive(dom, self._timeout(timeout)):
                    log.info("%s ignored the soft reboot; rebooting hard", uuid)
            self._stop(dom, clean=False, timeout=0)
            dom.create()
            return self._state(dom)

        return self._on_domain("reboot", uuid, work)

    def pause(self, uuid: str) -> int:
        """``suspend()`` (libvirt's word for pausing the vCPUs): PAUSED (3). Idempotent;
        a guest that is not running raises DriverError."""

        def work(conn: libvirt.virConnect, dom: libvirt.virDomain) -> int:
            state = self._state(dom)
            if state == RUNNING:
                dom.suspend()
            elif state != PAUSED:
                raise DriverError(f"cannot pause {uuid}: it is not running (power state {state})")
            return self._state(dom)

        return self._on_domain("pause", uuid, work)

    def unpause(self, uuid: str) -> int:
        """``resume()``: RUNNING (1). Idempotent; a guest that is off raises DriverError."""

        def work(conn: libvirt.virConnect, dom: libvirt.virDomain) -> int:
            state = self._state(dom)
            if state == PAUSED:
                dom.resume()
            elif state != RUNNING:
                raise DriverError(f"cannot unpause {uuid}: it is not paused (power state {state})")
            return self._state(dom)

        return self._on_domain("unpause", uuid, work)

    def suspend(self, uuid: str) -> int:
        """Nova's libvirt suspend: ``managedSave()`` (memory to a save image, domain shut
        off), reported as SUSPENDED (7). Works on running or paused guests; idempotent; a
        guest that is off without a save image raises DriverError."""

        def work(conn: libvirt.virConnect, dom: libvirt.virDomain) -> int:
            if dom.isActive():
                dom.managedSave(0)
            elif self._state(dom) != SUSPENDED:
                raise DriverError(f"cannot suspend {uuid}: it is not running")
            return self._state(dom)

        return self._on_domain("suspend", uuid, work)

    def resume(self, uuid: str) -> int:
        """Restore a suspended guest (``create()`` from its managed save image) and make sure
        it runs (a guest saved while paused is unpaused): RUNNING (1). A guest that is off
        without a save image is simply started."""

        def work(conn: libvirt.virConnect, dom: libvirt.virDomain) -> int:
            return self._apply_power(dom, True)

        return self._on_domain("resume", uuid, work)

    def set_admin_password(self, uuid: str, password: str, user: str = "root") -> None:
        """``setUserPassword(user, password)`` through the guest agent. The test driver fakes
        it; on QEMU our guests have no agent channel, so libvirt answers "QEMU guest agent is
        not configured" and this raises NotSupported (as for an agent that does not answer).
        The guest must be running."""

        def work(conn: libvirt.virConnect, dom: libvirt.virDomain) -> None:
            if not dom.isActive():
                raise DriverError(f"cannot set the password of {uuid}: it is not running")
            try:
                dom.setUserPassword(user, password, 0)
            except libvirt.libvirtError as exc:
                if exc.get_error_code() in _AGENT_ERRORS:
                    raise NotSupported(
                        f"set_admin_password: no usable guest agent in {uuid} ({exc.get_error_message()})"
                    ) from exc
                raise

        self._on_domain("set_admin_password", uuid, work)

    def inject_nmi(self, uuid: str) -> None:
        """``injectNMI()`` (Nova's trigger_crash_dump). The guest must be running; raises
        NotSupported where ``capabilities["supports_nmi"]`` is False or libvirt refuses."""
        if not self.capabilities["supports_nmi"]:
            raise self._unsupported("inject_nmi")

        def work(conn: libvirt.virConnect, dom: libvirt.virDomain) -> None:
            if not dom.isActive():
                raise DriverError(f"cannot inject an NMI into {uuid}: it is not running")
            dom.injectNMI(0)

        self._on_domain("inject_nmi", uuid, work)

    def snapshot(self, uuid: str, dest_path: str, disk_format: str = "qcow2") -> dict[str, Any]:
        """Write the root disk to ``dest_path`` as a standalone image; return ``{"size",
        "checksum" (md5 hex of the file), "disk_format"}``.

        Real daemon: ``qemu-img convert -O <disk_format>`` of the root disk (backing chain
        flattened). A running guest is paused for the copy (QEMU flushes its disks on pause)
        and resumed after; ``-U`` is needed because QEMU keeps its lock on a paused disk. The
        test driver (and a diskless guest) has no disk: an empty file is written."""
        if disk_format not in SNAPSHOT_FORMATS:
            raise ValueError(f"disk_format must be one of {SNAPSHOT_FORMATS}: {disk_format!r}")
        dest_path = os.path.abspath(dest_path)

        def work(conn: libvirt.virConnect, dom: libvirt.virDomain) -> dict[str, Any]:
            disk = None if self.is_test else dxml.root_disk_path(self._xml(dom))
            if disk is None:
                os.makedirs(os.path.dirname(dest_path), exist_ok=True)
                with open(dest_path, "wb"):
                    pass
            else:
                paused_here = self._state(dom) == RUNNING
                if paused_here:
                    dom.suspend()
                try:
                    disks.convert(disk, dest_path, disk_format, force_share=bool(dom.isActive()))
                finally:
                    if paused_here:
                        dom.resume()
            return {"size": os.path.getsize(dest_path), "checksum": disks.md5(dest_path), "disk_format": disk_format}

        return self._on_domain("snapshot", uuid, work)
