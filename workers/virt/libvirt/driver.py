"""``LibvirtDriver``: the compute driver on top of libvirt-python, composed of one mixin per
family of operations:

* ``connection.LibvirtBase``: connection, per-uuid locks, look-ups (``errors.py`` says what
  a libvirtError means, ``testhost.py`` sizes a test-driver host);
* ``inventory.InventoryMixin``: host inventory, ``power_state`` / ``list_instances`` /
  ``instance_info``;
* ``power.PowerMixin``: power_off/on, reboot, pause/unpause, suspend/resume,
  set_admin_password, inject_nmi, snapshot;
* ``guests.GuestsMixin``: spawn, destroy, rebuild, redefine, rescue/unrescue;
* ``migration.MigrationMixin``: cold migration / resize, export_guest / import_guest;
* ``live.LiveMigrationMixin``: live_migrate, abort, force-complete, destination prepare/cleanup;
* ``devices.DevicesMixin``: volumes and NICs;
* ``diagnostics.DiagnosticsMixin``: diagnostics and the console log.

Domain XML lives in ``xml.py``, ``qemu-img`` in ``disks.py``.
"""

from __future__ import annotations

from .devices import DevicesMixin
from .diagnostics import DiagnosticsMixin
from .inventory import InventoryMixin
from .live import LiveMigrationMixin


class LibvirtDriver(LiveMigrationMixin, DevicesMixin, DiagnosticsMixin, InventoryMixin):
    """Compute driver for one libvirt host.

    Written for a real libvirt daemon first (``qemu:///system``, ``qemu+tcp://...``): guests
    are ``<domain type='qemu'>`` (TCG) with a qcow2 overlay root disk on virtio, a virtio-scsi
    controller for volumes, virtio NICs of type ``ethernet`` or ``user`` (no bridge needed),
    a pty serial console and a virtio balloon.

    libvirt's in-process test driver (``test:``-URIs) is handled explicitly where it differs,
    and ``capabilities`` says so (see ``LibvirtBase._capabilities_for``):

    * guests are ``<domain type='test'>`` without disk files (no ``qemu-img``): snapshot
      writes an empty file, resize and rescue change only the definition;
    * no migration API: ``live_migrate`` raises NotSupported, guests move with
      ``export_guest`` → ``import_guest`` → ``destroy``;
    * no hot-plug: attach/detach edit the persistent definition with ``defineXML``;
    * ``undefineFlags`` rejects ``VIR_DOMAIN_UNDEFINE_NVRAM`` (libvirt 9.0), so it is left out.

    Every operation is idempotent and serialised per instance UUID, except
    ``abort_live_migration`` and ``force_live_migration_complete``, which must act while
    ``live_migrate`` holds the lock.

    File access (real daemon): QEMU runs as ``libvirt-qemu`` and libvirt chowns the images it
    uses, so ``instances_dir``, the image files and every directory above them must be
    traversable by that user (mode 755; not under ``/root``, which is 700), or the guest fails
    to start with "Permission denied". Alternatively set ``user``/``group = "root"`` or
    ``dynamic_ownership = 0`` in ``qemu.conf``.
    """
