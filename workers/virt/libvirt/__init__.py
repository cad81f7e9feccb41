"""The libvirt compute driver: ``from workers.virt.libvirt import LibvirtDriver``."""

from __future__ import annotations

from .driver import LibvirtDriver
from .xml import NOVASITE_NS

__all__ = ["NOVASITE_NS", "LibvirtDriver"]
