"""Where the qemu tests find their libvirt daemons (`scripts/libvirt.sh up` starts two, as
`make test` does), and what a missing one means: the test is skipped, or, with
NOVASITE_REQUIRE_QEMU=1 (CI sets it), it fails, so that a skip can never pass for green.

Mark a test or module with ``pytest.mark.qemu(uri, ...)``: tests/conftest.py checks each
daemon once per run before such a test starts."""

from __future__ import annotations

import functools
import os

#: The daemon under test, and the same daemon as another daemon reaches it.
QEMU_URI = os.environ.get("VIRT_TEST_QEMU_URI", "qemu:///system")
QEMU_TCP_URI = os.environ.get("VIRT_TEST_QEMU_TCP_URI", "qemu+tcp://127.0.0.1:16509/system")
#: A second, independent daemon (distinct host_uuid), for migrations.
PEER_URI = os.environ.get("VIRT_TEST_QEMU_PEER_URI", "qemu+tcp://127.0.0.1:16510/system")


def required() -> bool:
    """Whether a missing daemon fails the test rather than skipping it."""
    return os.environ.get("NOVASITE_REQUIRE_QEMU") == "1"


@functools.cache
def reachable(uri: str) -> bool:
    """A QEMU libvirtd answers at ``uri`` (asked once per run)."""
    try:
        import libvirt
    except ImportError:
        return False
    try:
        conn = libvirt.open(uri)
    except libvirt.libvirtError:
        return False
    try:
        return bool(conn.getType() == "QEMU")
    finally:
        conn.close()


def missing(uris: tuple[str, ...]) -> list[str]:
    """The URIs among ``uris`` where no daemon answers."""
    return [uri for uri in uris if not reachable(uri)]
