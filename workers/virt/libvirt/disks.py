"""Disk files for ``LibvirtDriver`` on a real daemon, made with ``qemu-img``.

Every file is written under a ``.part`` name and renamed into place, so a crash half-way never
leaves something that looks like a finished disk (the driver reuses existing disks to stay
idempotent). Measured with QEMU 7.2: ``qemu-img`` refuses a disk that a running
QEMU holds ("Failed to get shared 'write' lock") unless given ``-U`` (force share), and what it
reads then is only consistent if the guest is paused (QEMU drains and flushes on pause).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from typing import Any

from ..driver import DriverError

GIB = 1024**3
QEMU_IMG_TIMEOUT = 3600  # a convert of a large disk takes a while
# File systems where two hosts see the same file (libvirt then migrates without UNSAFE).
SHARED_FS_TYPES = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "ceph",
        "glusterfs",
        "fuse.glusterfs",
        "gfs2",
        "ocfs2",
        "9p",
        "virtiofs",
        "beegfs",
        "lustre",
        "gpfs",
        "fuse.sshfs",
        "fuse.cephfs",
    }
)


def qemu_img() -> str:
    path = shutil.which("qemu-img")
    if path is None:
        raise DriverError("qemu-img is not installed (apt-get install qemu-utils); it is needed for guest disks")
    return path


def run(cmd: list[str], timeout: float = QEMU_IMG_TIMEOUT) -> str:
    """Run ``cmd``; return its stdout or raise DriverError with its stderr."""
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DriverError(f"{' '.join(cmd)}: {exc}") from exc
    if done.returncode != 0:
        raise DriverError(f"{' '.join(cmd)} failed: {done.stderr.strip()}")
    return done.stdout


def info(path: str, fmt: str | None = None, *, force_share: bool = False) -> dict[str, Any]:
    """``qemu-img info --output=json`` of ``path`` (``virtual-size``, ``format``, ...)."""
    cmd = [qemu_img(), "info", "--output=json"]
    if fmt:
        cmd += ["-f", fmt]
    if force_share:
        cmd.append("-U")
    return json.loads(run([*cmd, path]))


def virtual_size(path: str, fmt: str | None = None, *, force_share: bool = False) -> int:
    return int(info(path, fmt, force_share=force_share)["virtual-size"])


def root_disk_bytes(root_gb: int, image_path: str | None, image_format: str) -> int:
    """The size a root disk gets: the flavor's ``root_gb``, or the image's if larger (0: the
    flavor says "as big as the image"). Refuses a flavor smaller than the image."""
    root_bytes = root_gb * GIB
    if not image_path or not os.path.isfile(image_path):
        return root_bytes
    image_bytes = virtual_size(image_path, image_format)
    if root_bytes and root_bytes < image_bytes:
        raise DriverError(f"flavor root disk ({root_gb} GiB) is smaller than the image ({image_bytes} bytes)")
    return max(root_bytes, image_bytes)


def create_overlay(image: str, image_format: str, dest: str, size_bytes: int) -> str:
    """A qcow2 overlay ``dest`` over ``image`` of ``size_bytes`` (if larger than the image).
    An existing ``dest`` is kept."""
    if os.path.exists(dest):
        return dest
    cmd = [qemu_img(), "create", "-f", "qcow2", "-F", image_format, "-b", image]
    if size_bytes > virtual_size(image, image_format):
        return _atomic(dest, lambda part: run([*cmd, part, str(size_bytes)]))
    return _atomic(dest, lambda part: run([*cmd, part]))


def create_blank(dest: str, size_bytes: int, fmt: str = "qcow2") -> str:
    """An empty disk ``dest`` of ``size_bytes``. An existing ``dest`` is kept."""
    return _atomic(dest, lambda part: run([qemu_img(), "create", "-f", fmt, part, str(size_bytes)]))


def convert(src: str, dest: str, out_format: str = "qcow2", *, force_share: bool = False) -> str:
    """Copy ``src`` (any format, its backing chain flattened) to a standalone ``dest``.

    Used for snapshots and to move a disk to another directory or host; ``force_share``
    (``-U``) reads a disk a running QEMU holds (pause the guest first)."""
    cmd = [qemu_img(), "convert", "-O", out_format]
    if force_share:
        cmd.append("-U")
    return _atomic(dest, lambda part: run([*cmd, src, part]), replace=True)


def grow(path: str, size_bytes: int) -> None:
    """Grow the disk to ``size_bytes``; a disk already that big is left alone. Shrinking is
    refused (it would cut off the guest's file systems)."""
    current = virtual_size(path)
    if size_bytes < current:
        raise DriverError(f"cannot shrink disk {path} from {current} to {size_bytes} bytes")
    if size_bytes > current:
        run([qemu_img(), "resize", path, str(size_bytes)])


def in_use(path: str) -> bool:
    """Does a running QEMU on this machine hold ``path`` (its write lock)?"""
    try:
        info(path)
    except DriverError as exc:
        return "lock" in str(exc)
    return False


def md5(path: str) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def is_shared_fs(path: str) -> bool:
    """Is ``path`` on a network/cluster file system (per ``/proc/mounts``)?"""
    path = os.path.realpath(path)
    best, fstype = "", ""
    try:
        with open("/proc/mounts", encoding="utf-8") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) < 3:
                    continue
                mount = parts[1].replace("\\040", " ")
                inside = path == mount or path.startswith(mount.rstrip("/") + "/")
                if inside and len(mount) >= len(best):
                    best, fstype = mount, parts[2]
    except OSError:
        return False
    return fstype in SHARED_FS_TYPES


def _atomic(dest: str, make: Any, *, replace: bool = False) -> str:
    if os.path.exists(dest) and not replace:
        return dest
    os.makedirs(os.path.dirname(dest) or ".", mode=0o755, exist_ok=True)
    part = dest + ".part"
    try:
        make(part)
        os.replace(part, dest)
    finally:
        if os.path.exists(part):
            os.unlink(part)
    return dest
