"""The demo cloud: what `make run` seeds and what the end-to-end tests boot on.

Everything is written through the service layer as an operator (``seed_demo``, an admin
Caller), so the demo holds nothing the APIs would refuse. Idempotent: each part is looked up
through the services first and created or changed only when it is missing or differs, so a
second run writes nothing and fails on nothing."""

from __future__ import annotations

import ipaddress
import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import transaction

from core.exceptions import Conflict, NotFound
from core.ids import constant_uuid
from core.principal import Caller
from core.unset import UNSET
from hosts.services import aggregates
from identity.models import DEFAULT_DOMAIN_ID, Project, Role, User
from identity.services import domain_grants, projects, roles, users
from identity.services.changes import NewProject, NewUser, UserChanges
from identity.services.own_endpoints import register_own_endpoints
from images import services as images
from images import store as image_store
from images.models import Image
from networks.models import Network
from networks.services import access as network_access
from networks.services import networks, subnets
from networks.services.arguments import NetworkFields, SubnetFields
from novasite.admin_support import operator_caller
from servers.services import flavors
from servers.services.lookup import visible_flavors

log = logging.getLogger(__name__)

FLAVORS = (
    # flavorid, name, vcpus, ram MB, disk GB
    ("1", "m1.tiny", 1, 512, 1),
    ("2", "m1.small", 1, 2048, 20),
    ("3", "m1.medium", 2, 4096, 40),
    ("42", "cirros", 1, 128, 1),
)
ZONES = {"nova": ("compute1", "compute2"), "az2": ("compute3",)}
CIRROS_IMAGE_ID = constant_uuid("7f3a1c64-2b5e-4d8a-9c1f-0e6b5a4d3c21")
PROVIDER_CIDR = ipaddress.IPv4Network("203.0.113.0/24")
PROVIDER_GATEWAY = ipaddress.IPv4Address("203.0.113.1")


def _role(caller: Caller, name: str) -> Role:
    return roles.list_roles(caller).filter(name=name).first() or roles.create_role(caller, name)


def _project(caller: Caller, name: str, description: str) -> Project:
    found = projects.list_projects(caller).filter(name=name).first()
    return found or projects.create_project(caller, NewProject(name=name, description=description))


def _user(caller: Caller, name: str, password: str, project: Project, role: Role) -> User:
    """The user with this password, default project and role (changed only where it differs)."""
    user = users.list_users(caller).filter(name=name).first()
    if user is None:
        user = users.create_user(caller, NewUser(name=name, password=password, default_project_id=project.id))
    else:
        changes = UserChanges(
            password=UNSET if user.check_password(password) else password,
            default_project_id=UNSET if user.default_project_id == project.id else project.id,
        )
        if changes != UserChanges():
            user = users.update_user(caller, user.id, changes)
    roles.create_grant(caller, project.id, user.id, role.id)  # a no-op when granted already
    return user


def seed_identity(caller: Caller, admin_password: str, demo_password: str) -> Project:
    """Roles (those `keystone-manage bootstrap` creates), the admin and demo projects and
    users (the admin also with admin on the Default domain); returns the admin project."""
    found = {name: _role(caller, name) for name in ("admin", "manager", "member", "reader", "service")}
    admin_project = _project(caller, "admin", "Administrators")
    demo_project = _project(caller, "demo", "Demo project")
    admin = _user(caller, "admin", admin_password, admin_project, found["admin"])
    # As devstack does: the admin also holds admin on the Default domain, so it may ask for the
    # domain-scoped token Horizon's multi-domain mode manages identity with.
    domain_grants.create_domain_grant(caller, DEFAULT_DOMAIN_ID, admin.id, found["admin"].id)
    _user(caller, "demo", demo_password, demo_project, found["member"])
    return admin_project


def seed_zone(caller: Caller, zone: str, hosts: tuple[str, ...]) -> None:
    """An aggregate named after its zone, holding ``hosts`` (which need not have reported yet)."""
    aggregate = next((row for row in aggregates.list_aggregates(caller) if row.name == zone), None)
    if aggregate is None:
        aggregate = aggregates.create_aggregate(caller, zone, zone)
    elif aggregate.availability_zone != zone:
        changes = aggregates.AggregateUpdate(rezone=True, availability_zone=zone)
        aggregate = aggregates.update_aggregate(caller, aggregate.pk, changes)
    for host in hosts:
        aggregates.preassign_host(caller, aggregate.pk, host)


def seed_compute(caller: Caller) -> None:
    """The region and the catalog's endpoints, the flavors and the availability zones."""
    register_own_endpoints(caller, settings.REGION_NAME)
    seed_flavors(caller)
    for zone, hosts in ZONES.items():
        seed_zone(caller, zone, hosts)


def seed_flavors(caller: Caller) -> None:
    """The demo's public flavors (those missing)."""
    known = set(visible_flavors(caller).values_list("name", flat=True))
    for flavorid, name, vcpus, ram, disk in FLAVORS:
        if name not in known:
            flavors.create_flavor(
                caller, flavors.FlavorCreate(name=name, flavorid=flavorid, vcpus=vcpus, ram=ram, disk=disk)
            )


def _write_disk(path: Path) -> str:
    """A small bootable-shaped disk at ``path``; returns its disk format."""
    if shutil.which("qemu-img"):
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(path), "64M"], check=True)
        return "qcow2"
    path.write_bytes(b"\0" * (1 << 20))
    return "raw"


def seed_image(caller: Caller, owner: Project) -> Image | None:
    """The public cirros image, created and uploaded as POST /v2/images and PUT .../file do
    (None when an operator deleted it: Glance never gives a deleted image's id again)."""
    try:
        image: Image | None = images.get_image(caller, str(CIRROS_IMAGE_ID))
    except NotFound:
        image = None
    if image is not None and image.status != "queued":
        if not os.path.exists(image_store.image_path(image.id)):
            log.warning("image %s is %s but its data is gone; delete it and seed again", image.id, image.status)
        return image
    os.makedirs(settings.IMAGE_DIR, exist_ok=True)
    with tempfile.TemporaryDirectory() as directory:
        # GUEST_IMAGE (make run LIBVIRT=qemu): the project's real guest image, a qcow2 disk
        # that boots (scripts/guest-image.sh); else an empty disk, all the test driver needs.
        guest = os.environ.get("GUEST_IMAGE")
        disk = Path(guest) if guest else Path(directory) / "cirros"
        disk_format = "qcow2" if guest else _write_disk(disk)
        if image is None:
            new = images.NewImage(
                image_id=CIRROS_IMAGE_ID,
                name="cirros",
                visibility="public",
                owner=owner.id,
                disk_format=disk_format,
                container_format="bare",
            )
            try:
                image = images.create_image(caller, new)
            except Conflict:
                log.warning("image %s was deleted; its id is not given again", CIRROS_IMAGE_ID)
                return None
        with disk.open("rb") as data:
            return images.upload_data(caller, str(image.id), data)


def seed_network(caller: Caller, owner: Project) -> Network:
    """The shared provider network and its IPv4 subnet."""
    network = network_access.networks(caller).filter(name="provider").first()
    if network is None:
        network = networks.create_network(caller, NetworkFields(name="provider", shared=True), project_id=owner.id)
    if not network.subnets.exists():
        subnet = SubnetFields(name="provider-v4", gateway_ip=PROVIDER_GATEWAY)
        subnets.create_subnet(caller, str(network.id), PROVIDER_CIDR, subnet, project_id=owner.id)
    return network


def seed(admin_password: str | None = None, demo_password: str | None = None) -> None:
    """Seed everything; passwords default to ADMIN_PASSWORD / DEMO_PASSWORD, else `secret`."""
    admin_password = admin_password or os.environ.get("ADMIN_PASSWORD", "secret")
    demo_password = demo_password or os.environ.get("DEMO_PASSWORD", "secret")
    caller = operator_caller("seed_demo")
    with transaction.atomic():
        admin_project = seed_identity(caller, admin_password, demo_password)
        seed_compute(caller)
        seed_network(caller, admin_project)
    seed_image(caller, admin_project)
