"""The demo cloud: what `make run` seeds and what the end-to-end tests boot on. Idempotent."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import uuid

from django.conf import settings
from django.db import transaction

from hosts.models import Aggregate, AggregateHost, Region
from identity.models import Project, Role, RoleAssignment, User
from images.models import Image
from networks.ipam import default_pools
from networks.models import Network, Subnet
from servers.models import Flavor

FLAVORS = (
    # flavorid, name, vcpus, ram MB, disk GB
    ("1", "m1.tiny", 1, 512, 1),
    ("2", "m1.small", 1, 2048, 20),
    ("3", "m1.medium", 2, 4096, 40),
    ("42", "cirros", 1, 128, 1),
)
ZONES = {"nova": ("compute1", "compute2"), "az2": ("compute3",)}
CIRROS_IMAGE_ID = uuid.UUID("7f3a1c64-2b5e-4d8a-9c1f-0e6b5a4d3c21")


def _user(name: str, password: str, project: Project, role: Role) -> User:
    user, _ = User.objects.get_or_create(name=name, defaults={"default_project": project})
    user.set_password(password)
    user.default_project = project
    user.save()
    RoleAssignment.objects.get_or_create(user=user, project=project, role=role)
    return user


def seed_identity(admin_password: str, demo_password: str) -> None:
    roles = {name: Role.objects.get_or_create(name=name)[0] for name in ("admin", "member", "reader")}
    admin_project, _ = Project.objects.get_or_create(name="admin", defaults={"description": "Administrators"})
    demo_project, _ = Project.objects.get_or_create(name="demo", defaults={"description": "Demo project"})
    _user("admin", admin_password, admin_project, roles["admin"])
    _user("demo", demo_password, demo_project, roles["member"])


def seed_compute() -> None:
    Region.objects.get_or_create(id=settings.REGION_NAME)
    for flavorid, name, vcpus, ram, disk in FLAVORS:
        Flavor.objects.update_or_create(
            name=name, defaults={"flavorid": flavorid, "vcpus": vcpus, "memory_mb": ram, "root_gb": disk}
        )
    for zone, hosts in ZONES.items():
        aggregate = Aggregate.objects.filter(name=zone).first() or Aggregate(name=zone)
        aggregate.metadata = {**aggregate.metadata, "availability_zone": zone}
        aggregate.save()
        for host in hosts:
            AggregateHost.objects.get_or_create(aggregate=aggregate, host=host)


def _image_bytes(path: str) -> str:
    """Write a small bootable-shaped disk for the demo image; returns its disk format."""
    if shutil.which("qemu-img"):
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", path, "64M"], check=True)
        return "qcow2"
    with open(path, "wb") as handle:
        handle.write(b"\0" * (1 << 20))
    return "raw"


def seed_image(owner: Project) -> Image:
    os.makedirs(settings.IMAGE_DIR, exist_ok=True)
    path = os.path.join(settings.IMAGE_DIR, str(CIRROS_IMAGE_ID))
    image = Image.objects.filter(id=CIRROS_IMAGE_ID).first()
    if image is not None and os.path.exists(path):
        return image
    disk_format = _image_bytes(path)
    with open(path, "rb") as handle:
        data = handle.read()
    image, _ = Image.objects.update_or_create(
        id=CIRROS_IMAGE_ID,
        defaults={
            "name": "cirros",
            "status": "active",
            "visibility": "public",
            "owner": owner.id,
            "disk_format": disk_format,
            "container_format": "bare",
            "size": len(data),
            "checksum": hashlib.md5(data).hexdigest(),
            "os_hash_algo": "sha512",
            "os_hash_value": hashlib.sha512(data).hexdigest(),
        },
    )
    return image


def seed_network(owner: Project) -> Network:
    network, _ = Network.objects.get_or_create(name="provider", defaults={"project_id": owner.id, "shared": True})
    if not network.subnets.exists():
        cidr, gateway = "203.0.113.0/24", "203.0.113.1"
        Subnet.objects.create(
            network=network,
            name="provider-v4",
            project_id=owner.id,
            cidr=cidr,
            gateway_ip=gateway,
            allocation_pools=default_pools(cidr, gateway),
        )
    return network


def seed(admin_password: str | None = None, demo_password: str | None = None) -> None:
    """Seed everything; passwords default to ADMIN_PASSWORD / DEMO_PASSWORD, else `secret`."""
    admin_password = admin_password or os.environ.get("ADMIN_PASSWORD", "secret")
    demo_password = demo_password or os.environ.get("DEMO_PASSWORD", "secret")
    with transaction.atomic():
        seed_identity(admin_password, demo_password)
        seed_compute()
        admin_project = Project.objects.get(name="admin")
        seed_network(admin_project)
    seed_image(Project.objects.get(name="admin"))
