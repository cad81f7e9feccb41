"""libvirt's test driver as a host of a chosen size.

``test:///default`` has fixed fake host sizes (16 vCPUs, 3 GiB) and state shared by all
connections of the process. A node description written into the instances directory and
opened as ``test:///<that file>`` is parsed fresh per connection instead, so two drivers are
two hosts, each of its own size.
"""

from __future__ import annotations

import os
import threading
import xml.etree.ElementTree as ET

from . import xml as dxml

TEST_NODE_FILE = "libvirt-test-node.xml"


def sized_host_uri(instances_dir: str, *, vcpus: int | None, memory_mb: int | None) -> str:
    """Write the node description into ``instances_dir`` and return its ``test://`` URI.
    Sizes not given keep test:///default's values."""
    vcpus = vcpus or 16
    memory_kib = (memory_mb or 3072) * 1024
    node = ET.Element("node")
    cpu = dxml.el(node, "cpu")
    for tag, value in (
        ("mhz", 2400),
        ("model", "x86_64"),
        ("active", vcpus),
        ("nodes", 1),
        ("sockets", 1),
        ("cores", vcpus),
        ("threads", 1),
    ):
        dxml.el(cpu, tag, str(value))
    dxml.el(node, "memory", str(memory_kib))  # KiB
    path = os.path.join(instances_dir, TEST_NODE_FILE)
    tmp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"  # written whole, then renamed
    with open(tmp, "wb") as fh:
        fh.write(ET.tostring(node))
    os.replace(tmp, path)
    return "test://" + path
