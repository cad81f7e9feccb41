"""Domain XML for ``LibvirtDriver``: built and edited with ElementTree, so every user value is
escaped. Plain values in (``InstanceSpec``, volume and port dicts, paths), elements or plain
dicts out; nothing here talks to libvirt.

Conventions the driver relies on:

* the root disk is the file disk with target ``vda`` (virtio); in rescue mode the rescue disk
  is ``vda`` and the original root disk ``vdb``;
* a volume-backed guest's root disk is its root volume, a file disk ``vda`` (virtio) whose
  ``<serial>`` is the volume id;
* a volume is a file disk on the ``scsi`` bus (a virtio-scsi controller, which QEMU unplugs
  without the guest's help) whose ``<serial>`` is the volume id;
* a NIC carries the port id in a user alias ``<alias name='ua-port-<id>'/>`` and is also
  found by its MAC address;
* ``<metadata><novasite:instance>`` (namespace ``NOVASITE_NS``) records uuid, name, flavor,
  image and free-form metadata, and ``<novasite:rescue/>`` while rescued.
"""

from __future__ import annotations

import copy
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import Any

from ..driver import DriverError, InstanceSpec

NOVASITE_NS = "http://novasite.dev/xmlns/1.0"
ET.register_namespace("novasite", NOVASITE_NS)
_N = f"{{{NOVASITE_NS}}}"

ROOT_DEV = "vda"
RESCUE_ORIGINAL_DEV = "vdb"
VOLUME_BUS = "scsi"
VOLUME_FORMATS = ("qcow2", "raw")
NIC_TYPES = ("ethernet", "user")
PORT_ALIAS_PREFIX = "ua-port-"
# sda is left free (a scsi root disk would take it, as in Nova's naming); volumes get sdb...
VOLUME_DEVICES = tuple(f"sd{c}" for c in "bcdefghijklmnopqrstuvwxyz")

_SERIAL_RE = re.compile(r"^[A-Za-z0-9_.+-]{1,64}$")  # characters libvirt accepts in <serial>
_ALIAS_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,60}$")  # user alias characters
_MAC_RE = re.compile(r"^([0-9a-f]{2}:){5}[0-9a-f]{2}$")
_UNIT_BYTES = {"b": 1, "bytes": 1, "k": 1024, "kib": 1024, "m": 1024**2, "mib": 1024**2, "g": 1024**3, "gib": 1024**3}


def el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    """Append ``<tag attrs>text</tag>`` to ``parent`` and return it."""
    child = ET.SubElement(parent, tag, attrs)
    child.text = text
    return child


def parse(xml: str) -> ET.Element:
    try:
        return ET.fromstring(xml)
    except ET.ParseError as exc:
        raise DriverError(f"invalid domain XML: {exc}") from exc


def required(root: ET.Element, path: str) -> ET.Element:
    """The element at ``path``, which every domain XML libvirt returns has."""
    found = root.find(path)
    if found is None:
        raise DriverError(f"domain XML has no {path}")
    return found


def tostring(root: ET.Element) -> str:
    return ET.tostring(root, encoding="unicode")


# -- validation of the dicts callers send ------------------------------------------------------


def validate_volume(volume: dict[str, Any]) -> dict[str, str]:
    """Return ``{"id", "path", "format"}`` or raise ``ValueError``."""
    vol_id, path = str(volume.get("id") or ""), str(volume.get("path") or "")
    fmt = str(volume.get("format") or "raw")
    if not _SERIAL_RE.match(vol_id):
        raise ValueError(f"volume id must match {_SERIAL_RE.pattern}: {vol_id!r}")
    if not path.startswith("/"):
        raise ValueError(f"volume path must be absolute: {path!r}")
    if fmt not in VOLUME_FORMATS:
        raise ValueError(f"volume format must be one of {VOLUME_FORMATS}: {fmt!r}")
    return {"id": vol_id, "path": path, "format": fmt}


def validate_port(port: dict[str, Any]) -> dict[str, str]:
    """Return ``{"id", "mac_address"}`` (MAC lower-cased) or raise ``ValueError``."""
    port_id, mac = str(port.get("id") or ""), str(port.get("mac_address") or "").lower()
    if not _ALIAS_ID_RE.match(port_id):
        raise ValueError(f"port id must match {_ALIAS_ID_RE.pattern}: {port_id!r}")
    if not _MAC_RE.match(mac):
        raise ValueError(f"not a MAC address: {mac!r}")
    return {"id": port_id, "mac_address": mac}


# -- building -----------------------------------------------------------------------------------


def build_domain(
    spec: InstanceSpec,
    *,
    domain_type: str,
    disk_path: str | None = None,
    nic_type: str = "ethernet",
    volumes: Iterable[dict[str, Any]] = (),
    interfaces: Iterable[dict[str, Any]] = (),
    console_log: str | None = None,
    vnc_listen: str | None = None,
) -> ET.Element:
    """The domain for ``spec``: ``type='qemu'`` (TCG) with ACPI, the virtio root disk (if
    ``disk_path``), a virtio-scsi controller, pty serial + console (logged to ``console_log``
    when given: what os-getConsoleOutput reads), VNC graphics on ``vnc_listen`` (when given)
    and a virtio balloon; or
    ``type='test'`` with no devices but volumes and NICs. ``volumes`` / ``interfaces`` are
    added to ``spec.volumes`` / ``spec.interfaces`` (duplicates by id dropped)."""
    dom = ET.Element("domain", type=domain_type)
    el(dom, "name", spec.name)
    el(dom, "uuid", spec.uuid)
    dom.append(metadata_element(spec))
    el(dom, "memory", str(spec.memory_mb), unit="MiB")
    el(dom, "currentMemory", str(spec.memory_mb), unit="MiB")
    el(dom, "vcpu", str(spec.vcpus))
    os_el = el(dom, "os")
    el(os_el, "type", "hvm", arch="x86_64")
    el(os_el, "boot", dev="hd")
    qemu = domain_type != "test"
    if qemu:
        features = el(dom, "features")
        el(features, "acpi")
        el(features, "apic")
    el(dom, "clock", offset="utc")
    for tag, action in (("on_poweroff", "destroy"), ("on_reboot", "restart"), ("on_crash", "destroy")):
        el(dom, tag, action)
    devices = el(dom, "devices")
    if qemu and disk_path:
        disk = el(devices, "disk", type="file", device="disk")
        el(disk, "driver", name="qemu", type="qcow2")
        el(disk, "source", file=disk_path)
        el(disk, "target", dev=ROOT_DEV, bus="virtio")
    root_volume = spec.root_volume if not disk_path else None
    if root_volume:
        # A volume-backed guest boots from its volume, the virtio root disk (Nova's vda).
        devices.append(volume_element(root_volume, ROOT_DEV, bus="virtio"))
    vols = [v for v in _unique(spec.volumes, volumes, "id") if not root_volume or v["id"] != root_volume["id"]]
    taken = {v.get("device") for v in vols} & set(VOLUME_DEVICES)
    free = iter([d for d in VOLUME_DEVICES if d not in taken])
    for volume in vols:
        dev = volume.get("device") if volume.get("device") in VOLUME_DEVICES else next(free, None)
        if dev is None:
            raise DriverError(f"too many volumes (at most {len(VOLUME_DEVICES)})")
        devices.append(volume_element(volume, dev))
    if qemu:
        el(devices, "controller", type="scsi", index="0", model="virtio-scsi")
    for port in _unique(spec.interfaces, interfaces, "id"):
        devices.append(interface_element(port, nic_type))
    if qemu:
        serial = el(devices, "serial", type="pty")
        el(serial, "target", port="0")
        if console_log:
            el(serial, "log", file=console_log, append="off")
        el(el(devices, "console", type="pty"), "target", type="serial", port="0")
        if vnc_listen:
            devices.append(vnc_graphics_element(vnc_listen))
        el(devices, "memballoon", model="virtio")
    return dom


def vnc_graphics_element(listen: str) -> ET.Element:
    """VNC graphics listening on ``listen`` (the host's address that console proxies reach),
    on a port QEMU picks when the guest starts (autoport: 5900 and up)."""
    graphics = ET.Element("graphics", type="vnc", port="-1", autoport="yes", listen=listen)
    el(graphics, "listen", type="address", address=listen)
    return graphics


def vnc_address(root: ET.Element) -> tuple[str, int] | None:
    """``(listen address, port)`` of the VNC graphics in a running guest's live XML; None when
    the guest has no VNC graphics or no port yet (not running: the port is -1 or absent)."""
    graphics = root.find("devices/graphics[@type='vnc']")
    if graphics is None:
        return None
    port = int(graphics.get("port") or -1)
    if port <= 0:
        return None
    return graphics.get("listen") or "127.0.0.1", port


def has_vnc(root: ET.Element) -> bool:
    """Whether the guest is defined with VNC graphics."""
    return root.find("devices/graphics[@type='vnc']") is not None


def console_log_path(root: ET.Element) -> str | None:
    """Where the guest's console is logged: a serial or console device's ``<log file>``, or
    the source of a ``type='file'`` one; None when it has no such device."""
    for device in (*root.findall("devices/serial"), *root.findall("devices/console")):
        log = device.find("log")
        if log is not None and log.get("file"):
            return log.get("file")
        source = device.find("source")
        if device.get("type") == "file" and source is not None and source.get("path"):
            return source.get("path")
    return None


def _unique(first: Iterable[dict[str, Any]], second: Iterable[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    seen: set[str] = set()
    out = []
    for item in [*first, *second]:
        if item[key] not in seen:
            seen.add(item[key])
            out.append(item)
    return out


def metadata_element(spec: InstanceSpec) -> ET.Element:
    """``<metadata><novasite:instance>`` with uuid, name, flavor, image and metadata."""
    meta = ET.Element("metadata")
    inst = el(meta, _N + "instance")
    el(inst, _N + "uuid", spec.uuid)
    el(inst, _N + "name", str(spec.metadata.get("display_name", spec.name)))
    el(
        inst,
        _N + "flavor",
        name=str(spec.metadata.get("flavor_name", "")),
        vcpus=str(spec.vcpus),
        memory_mb=str(spec.memory_mb),
        root_gb=str(spec.root_gb),
    )
    if spec.image_path:
        el(inst, _N + "image", path=spec.image_path, format=spec.image_format)
    for key in sorted(spec.metadata, key=str):
        value = spec.metadata[key]
        text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
        el(inst, _N + "meta", text, key=str(key))
    return meta


def volume_element(volume: dict[str, Any], dev: str, bus: str = VOLUME_BUS) -> ET.Element:
    """A file disk on the scsi bus (``bus``) with ``<serial>`` = volume id."""
    vol = validate_volume(volume)
    disk = ET.Element("disk", type="file", device="disk")
    el(disk, "driver", name="qemu", type=vol["format"])
    el(disk, "source", file=vol["path"])
    el(disk, "target", dev=dev, bus=bus)
    el(disk, "serial", vol["id"])
    return disk


def interface_element(port: dict[str, Any], nic_type: str) -> ET.Element:
    """A virtio NIC of ``nic_type`` ('ethernet': a tap libvirt makes; 'user': SLIRP)."""
    if nic_type not in NIC_TYPES:
        raise ValueError(f"NIC type must be one of {NIC_TYPES}: {nic_type!r}")
    p = validate_port(port)
    nic = ET.Element("interface", type=nic_type)
    el(nic, "mac", address=p["mac_address"])
    el(nic, "model", type="virtio")
    el(nic, "alias", name=PORT_ALIAS_PREFIX + p["id"])
    return nic


def rescue_domain(original: ET.Element, rescue_disk_path: str | None) -> ET.Element:
    """A copy of ``original`` that boots ``rescue_disk_path`` (as ``vda``, boot order 1)
    with the original root disk moved to ``vdb``; marked ``<novasite:rescue/>``."""
    dom = copy.deepcopy(original)
    os_element = required(dom, "os")
    for boot in os_element.findall("boot"):
        os_element.remove(boot)
    devices = dom.find("devices")
    if devices is None:
        devices = el(dom, "devices")
    for disk in devices.findall("disk"):
        target = disk.find("target")
        if target is not None and target.get("dev") == ROOT_DEV:
            target.set("dev", RESCUE_ORIGINAL_DEV)
            for address in disk.findall("address"):
                disk.remove(address)
    if rescue_disk_path:
        disk = ET.Element("disk", type="file", device="disk")
        el(disk, "driver", name="qemu", type="qcow2")
        el(disk, "source", file=rescue_disk_path)
        el(disk, "target", dev=ROOT_DEV, bus="virtio")
        el(disk, "boot", order="1")
        devices.insert(0, disk)
    else:
        el(os_element, "boot", dev="hd")
    _instance_meta(dom).append(ET.Element(_N + "rescue"))
    return dom


def is_rescue(root: ET.Element) -> bool:
    return _instance_meta(root).find(_N + "rescue") is not None


def _instance_meta(root: ET.Element) -> ET.Element:
    meta = root.find("metadata")
    if meta is None:
        meta = el(root, "metadata")
    inst = meta.find(_N + "instance")
    return inst if inst is not None else el(meta, _N + "instance")


# -- reading --------------------------------------------------------------------------------------


def memory_mb(root: ET.Element) -> int:
    mem = root.find("memory")
    amount = (mem.text or "").strip() if mem is not None else ""
    if mem is None or not amount:
        return 0
    factor = _UNIT_BYTES.get((mem.get("unit") or "KiB").lower(), 1024)
    return int(amount) * factor // 1024**2


def vcpus(root: ET.Element) -> int:
    vcpu = root.find("vcpu")
    if vcpu is None:
        return 0
    return int(vcpu.get("current") or vcpu.text or 0)


def disks(root: ET.Element) -> list[dict[str, Any]]:
    """Every disk: ``{"device", "bus", "path", "format", "serial"}``."""
    out = []
    for disk in root.findall("devices/disk"):
        target, source, driver = disk.find("target"), disk.find("source"), disk.find("driver")
        out.append(
            {
                "device": target.get("dev") if target is not None else None,
                "bus": target.get("bus") if target is not None else None,
                "path": (source.get("file") or source.get("dev")) if source is not None else None,
                "format": driver.get("type") if driver is not None else None,
                "serial": disk.findtext("serial"),
            }
        )
    return out


def volumes(root: ET.Element) -> list[dict[str, Any]]:
    """The attached volumes: ``{"id", "path", "format", "device"}`` per disk with a serial."""
    return [
        {"id": d["serial"], "path": d["path"], "format": d["format"] or "raw", "device": d["device"]}
        for d in disks(root)
        if d["serial"]
    ]


def interfaces(root: ET.Element) -> list[dict[str, Any]]:
    """Every NIC: ``{"id" (port id or None), "mac_address", "type", "model"}``."""
    out = []
    for nic in root.findall("devices/interface"):
        alias_el, mac, model = nic.find("alias"), nic.find("mac"), nic.find("model")
        alias = alias_el.get("name", "") if alias_el is not None else ""
        out.append(
            {
                "id": alias[len(PORT_ALIAS_PREFIX) :] if alias.startswith(PORT_ALIAS_PREFIX) else None,
                "mac_address": (mac.get("address") or "").lower() if mac is not None else None,
                "type": nic.get("type"),
                "model": model.get("type") if model is not None else None,
            }
        )
    return out


def root_disk_path(root: ET.Element) -> str | None:
    """The file behind the root disk (``vda``; ``vdb`` while rescued), or None."""
    dev = RESCUE_ORIGINAL_DEV if is_rescue(root) else ROOT_DEV
    for disk in disks(root):
        if disk["device"] == dev:
            return disk["path"]
    return None


def file_disks(root: ET.Element) -> list[dict[str, Any]]:
    """Disks backed by a file or block device path (what migration must care about)."""
    return [d for d in disks(root) if d["path"]]


def find_volume(root: ET.Element, volume_id: str) -> ET.Element | None:
    for disk in root.findall("devices/disk"):
        if disk.findtext("serial") == volume_id:
            return disk
    return None


def find_interface(root: ET.Element, port_id: str) -> ET.Element | None:
    """The NIC whose alias names ``port_id``, or whose MAC is ``port_id``."""
    wanted_mac = port_id.lower() if _MAC_RE.match(port_id.lower()) else None
    for nic in root.findall("devices/interface"):
        alias = nic.find("alias")
        if alias is not None and alias.get("name") == PORT_ALIAS_PREFIX + port_id:
            return nic
        mac = nic.find("mac")
        if wanted_mac and mac is not None and (mac.get("address") or "").lower() == wanted_mac:
            return nic
    return None


def device_identity(element: ET.Element) -> str:
    """A minimal XML for detachDeviceFlags: the element without live-only children."""
    clone = copy.deepcopy(element)
    for child in list(clone):
        if child.tag in ("address", "backingStore") or (
            child.tag == "alias" and not (child.get("name") or "").startswith("ua-")
        ):
            clone.remove(child)
    return tostring(clone)


def free_volume_device(roots: Iterable[ET.Element], wanted: str | None = None) -> str:
    """``wanted`` (``sdX``, leading ``/dev/`` ignored) if no disk uses it, else the first
    free of sdb..sdz. Other names (``vdb`` ...) are ignored, as Nova's libvirt driver does."""
    used = {d["device"] for root in roots for d in disks(root)}
    if wanted:
        wanted = wanted.removeprefix("/dev/")
        if wanted in VOLUME_DEVICES and wanted not in used:
            return wanted
    for dev in VOLUME_DEVICES:
        if dev not in used:
            return dev
    raise DriverError(f"no free device name for another volume ({len(VOLUME_DEVICES)} in use)")


def set_console_log_path(root: ET.Element, path: str) -> None:
    """Log the guest's console to ``path`` (for a migration's destination XML: the source's
    instance directory is not the destination's, and may be gone after the move)."""
    for device in (*root.findall("devices/serial"), *root.findall("devices/console")):
        log = device.find("log")
        if log is not None and log.get("file"):
            log.set("file", path)


def set_disk_path(root: ET.Element, dev: str, path: str) -> None:
    """Point the disk with target ``dev`` at ``path`` (for a migration's destination XML)."""
    for disk in root.findall("devices/disk"):
        target = disk.find("target")
        if target is not None and target.get("dev") == dev:
            source = disk.find("source")
            if source is None:
                source = el(disk, "source")
            source.attrib = {"file": path}
            for backing in disk.findall("backingStore"):
                disk.remove(backing)
