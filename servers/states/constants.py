"""The state constants: Nova's vm_states, task_states and power states, as wire strings and ints.

They show up unchanged in API bodies (``OS-EXT-STS:vm_state``, ``OS-EXT-STS:task_state``,
``OS-EXT-STS:power_state``). Pure Python, no Django: compute agents import it too.

Nova sources: ``nova/compute/vm_states.py``, ``nova/compute/task_states.py``,
``nova/compute/power_state.py``, ``nova/objects/fields.py`` (wire strings) and
``nova/virt/libvirt/guest.py`` (``LIBVIRT_POWER_STATE``).
"""

from __future__ import annotations


class VmState:
    """The stable state of an instance (``instances.vm_state``)."""

    ACTIVE = "active"
    BUILDING = "building"
    PAUSED = "paused"
    SUSPENDED = "suspended"
    STOPPED = "stopped"
    RESCUED = "rescued"
    RESIZED = "resized"
    # Nova's wire string is "soft-delete", not "soft_deleted"; the API's
    # status for it is still SOFT_DELETED.
    SOFT_DELETED = "soft-delete"
    DELETED = "deleted"
    ERROR = "error"
    SHELVED = "shelved"
    SHELVED_OFFLOADED = "shelved_offloaded"

    ALL: tuple[str, ...] = (
        ACTIVE,
        BUILDING,
        PAUSED,
        SUSPENDED,
        STOPPED,
        RESCUED,
        RESIZED,
        SOFT_DELETED,
        DELETED,
        ERROR,
        SHELVED,
        SHELVED_OFFLOADED,
    )

    # Named groups from nova/compute/vm_states.py.
    ALLOW_SOFT_REBOOT: tuple[str, ...] = (ACTIVE,)
    ALLOW_HARD_REBOOT: tuple[str, ...] = (ACTIVE, STOPPED, PAUSED, SUSPENDED, ERROR)
    ALLOW_TRIGGER_CRASH_DUMP: tuple[str, ...] = (ACTIVE, PAUSED, RESCUED, RESIZED, ERROR)


class TaskState:
    """The operation in progress (``instances.task_state``); NULL when idle.

    Wire strings are snake_case, except the three hyphenated ones Nova
    inherited from older releases: ``powering-off``, ``powering-on`` and
    ``soft-deleting``.
    """

    SCHEDULING = "scheduling"
    BLOCK_DEVICE_MAPPING = "block_device_mapping"
    NETWORKING = "networking"
    SPAWNING = "spawning"
    IMAGE_SNAPSHOT = "image_snapshot"
    IMAGE_SNAPSHOT_PENDING = "image_snapshot_pending"
    IMAGE_PENDING_UPLOAD = "image_pending_upload"
    IMAGE_UPLOADING = "image_uploading"
    IMAGE_BACKUP = "image_backup"
    UPDATING_PASSWORD = "updating_password"
    RESIZE_PREP = "resize_prep"
    RESIZE_MIGRATING = "resize_migrating"
    RESIZE_MIGRATED = "resize_migrated"
    RESIZE_FINISH = "resize_finish"
    RESIZE_REVERTING = "resize_reverting"
    RESIZE_CONFIRMING = "resize_confirming"
    REBOOTING = "rebooting"
    REBOOT_PENDING = "reboot_pending"
    REBOOT_STARTED = "reboot_started"
    REBOOTING_HARD = "rebooting_hard"
    REBOOT_PENDING_HARD = "reboot_pending_hard"
    REBOOT_STARTED_HARD = "reboot_started_hard"
    PAUSING = "pausing"
    UNPAUSING = "unpausing"
    SUSPENDING = "suspending"
    RESUMING = "resuming"
    POWERING_OFF = "powering-off"
    POWERING_ON = "powering-on"
    RESCUING = "rescuing"
    UNRESCUING = "unrescuing"
    REBUILDING = "rebuilding"
    REBUILD_BLOCK_DEVICE_MAPPING = "rebuild_block_device_mapping"
    REBUILD_SPAWNING = "rebuild_spawning"
    MIGRATING = "migrating"
    DELETING = "deleting"
    SOFT_DELETING = "soft-deleting"
    RESTORING = "restoring"
    SHELVING = "shelving"
    SHELVING_IMAGE_PENDING_UPLOAD = "shelving_image_pending_upload"
    SHELVING_IMAGE_UPLOADING = "shelving_image_uploading"
    SHELVING_OFFLOADING = "shelving_offloading"
    UNSHELVING = "unshelving"

    ALL: tuple[str, ...] = (
        SCHEDULING,
        BLOCK_DEVICE_MAPPING,
        NETWORKING,
        SPAWNING,
        IMAGE_SNAPSHOT,
        IMAGE_SNAPSHOT_PENDING,
        IMAGE_PENDING_UPLOAD,
        IMAGE_UPLOADING,
        IMAGE_BACKUP,
        UPDATING_PASSWORD,
        RESIZE_PREP,
        RESIZE_MIGRATING,
        RESIZE_MIGRATED,
        RESIZE_FINISH,
        RESIZE_REVERTING,
        RESIZE_CONFIRMING,
        REBOOTING,
        REBOOT_PENDING,
        REBOOT_STARTED,
        REBOOTING_HARD,
        REBOOT_PENDING_HARD,
        REBOOT_STARTED_HARD,
        PAUSING,
        UNPAUSING,
        SUSPENDING,
        RESUMING,
        POWERING_OFF,
        POWERING_ON,
        RESCUING,
        UNRESCUING,
        REBUILDING,
        REBUILD_BLOCK_DEVICE_MAPPING,
        REBUILD_SPAWNING,
        MIGRATING,
        DELETING,
        SOFT_DELETING,
        RESTORING,
        SHELVING,
        SHELVING_IMAGE_PENDING_UPLOAD,
        SHELVING_IMAGE_UPLOADING,
        SHELVING_OFFLOADING,
        UNSHELVING,
    )

    # Groups. The status map and the action rules both use them, so a state
    # is never added to one place and missed in the other.
    BUILD: tuple[str, ...] = (SCHEDULING, BLOCK_DEVICE_MAPPING, NETWORKING, SPAWNING)
    REBOOT_SOFT: tuple[str, ...] = (REBOOTING, REBOOT_PENDING, REBOOT_STARTED)
    REBOOT_HARD: tuple[str, ...] = (REBOOTING_HARD, REBOOT_PENDING_HARD, REBOOT_STARTED_HARD)
    RESIZE: tuple[str, ...] = (RESIZE_PREP, RESIZE_MIGRATING, RESIZE_MIGRATED, RESIZE_FINISH)
    REBUILD: tuple[str, ...] = (REBUILDING, REBUILD_BLOCK_DEVICE_MAPPING, REBUILD_SPAWNING)
    IMAGE: tuple[str, ...] = (
        IMAGE_SNAPSHOT_PENDING,
        IMAGE_SNAPSHOT,
        IMAGE_BACKUP,
        IMAGE_PENDING_UPLOAD,
        IMAGE_UPLOADING,
    )
    SHELVE: tuple[str, ...] = (SHELVING, SHELVING_IMAGE_PENDING_UPLOAD, SHELVING_IMAGE_UPLOADING, SHELVING_OFFLOADING)
    # Task states a HARD reboot may interrupt (task_states.ALLOW_REBOOT). None
    # comes first because an idle instance may of course be rebooted. A hard
    # reboot is the way out of a stuck soft reboot or pause/suspend/resume.
    ALLOW_REBOOT: tuple[str | None, ...] = (
        None,
        REBOOTING,
        REBOOT_PENDING,
        REBOOT_STARTED,
        RESUMING,
        REBOOTING_HARD,
        UNPAUSING,
        PAUSING,
        SUSPENDING,
    )


class LibvirtState:
    """libvirt's ``virDomainState`` ints, copied here so that nothing has to import libvirt."""

    NOSTATE = 0
    RUNNING = 1
    BLOCKED = 2
    PAUSED = 3
    SHUTDOWN = 4  # being shut down: the guest is still running
    SHUTOFF = 5
    CRASHED = 6
    PMSUSPENDED = 7

    ALL: tuple[int, ...] = (NOSTATE, RUNNING, BLOCKED, PAUSED, SHUTDOWN, SHUTOFF, CRASHED, PMSUSPENDED)


class PowerState:
    """Hypervisor power state as an int (``OS-EXT-STS:power_state``).

    The gaps (2, 5) are values Nova retired; they are kept unused so the
    numbers still match Nova's.
    """

    NOSTATE = 0
    RUNNING = 1
    PAUSED = 3
    SHUTDOWN = 4
    CRASHED = 6
    SUSPENDED = 7

    ALL: tuple[int, ...] = (NOSTATE, RUNNING, PAUSED, SHUTDOWN, CRASHED, SUSPENDED)
    NAMES: dict[int, str] = {
        NOSTATE: "NOSTATE",
        RUNNING: "RUNNING",
        PAUSED: "PAUSED",
        SHUTDOWN: "SHUTDOWN",
        CRASHED: "CRASHED",
        SUSPENDED: "SUSPENDED",
    }

    # nova/virt/libvirt/guest.py LIBVIRT_POWER_STATE. BLOCKED means the vCPU is
    # idle, so the guest counts as running. Nova deliberately maps SHUTDOWN (in
    # progress) and SHUTOFF (done) to the same SHUTDOWN. PMSUSPENDED is
    # guest-initiated S3/S4, which for the API is SUSPENDED.
    _FROM_LIBVIRT: dict[int, int] = {
        LibvirtState.NOSTATE: NOSTATE,
        LibvirtState.RUNNING: RUNNING,
        LibvirtState.BLOCKED: RUNNING,
        LibvirtState.PAUSED: PAUSED,
        LibvirtState.SHUTDOWN: SHUTDOWN,
        LibvirtState.SHUTOFF: SHUTDOWN,
        LibvirtState.CRASHED: CRASHED,
        LibvirtState.PMSUSPENDED: SUSPENDED,
    }

    @staticmethod
    def from_libvirt(state: int) -> int:
        """Map a libvirt ``virDomainState`` int to a Nova power state int.

        A value this table does not know (say, from a newer libvirt) maps to
        NOSTATE. The power-sync loop then treats it as "don't know" and does
        not act on a guess.
        """
        return PowerState._FROM_LIBVIRT.get(state, PowerState.NOSTATE)
