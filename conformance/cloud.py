"""The conformance cloud's database side (run with novasite's virtualenv, DATABASE_URL set).

    python -m conformance.cloud reset-db           # drop and create the database, fresh each run
    python -m conformance.cloud seed FACTS.json    # what Tempest needs, through the service layer
    python -m conformance.cloud inventory OUT.json # every live resource a test could leave behind

The seed is what a devstack-like cloud gives Tempest: the roles its dynamic credentials assign
(admin, member, reader, manager, service), an admin user and project, two distinct public images, two
flavors of different sizes (m1.nano and the larger m1.micro, devstack's ids 42 and 84), and a
shared network. Unlike `make run`'s demo cloud no host is put in an aggregate: hosts sit in the
default zone, as in a fresh Nova, so Tempest's aggregate tests can put them in zones of their own.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

DEVSTACK_FLAVORS = (
    # flavorid, name, vcpus, ram MB, disk GB (devstack's m1.nano and m1.micro)
    ("42", "m1.nano", 1, 128, 1),
    ("84", "m1.micro", 1, 192, 1),
)
#: The roles Tempest's dynamic credentials assign: member, reader and admin for every class,
#: manager for migration classes, service for the classes that act as another service.
ROLES = ("admin", "member", "reader", "manager", "service")
ALT_IMAGE_NAME = "cirros-alt"


def reset_database(database_url: str) -> None:
    """Drop the database DATABASE_URL names (sessions still connected are ended) and create it."""
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(database_url)
    if "postgresql" not in config["ENGINE"]:
        raise SystemExit("the conformance cloud runs on PostgreSQL: set CONFORMANCE_DATABASE_URL")
    params: dict[str, Any] = {
        "dbname": "postgres",
        "user": config["USER"],
        "password": config["PASSWORD"],
        "host": config["HOST"],
        "port": config["PORT"],
    }
    conn = psycopg2.connect(**{key: value for key, value in params.items() if value})
    conn.autocommit = True  # CREATE and DROP DATABASE cannot run inside a transaction
    try:
        with conn.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
    finally:
        conn.close()


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "novasite.settings")
    import django

    django.setup()


def _disk(path: Path) -> str:
    """A small disk image at ``path``; returns its disk format."""
    if shutil.which("qemu-img"):
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(path), "64M"], check=True)
        return "qcow2"
    path.write_bytes(b"\0" * (1 << 20))
    return "raw"


def _alt_image(caller: Any, owner_id: str) -> str:
    """A second public image, distinct from the first (Tempest's image_ref_alt)."""
    from images import services as images

    found, _ = images.list_images(caller, images.ImageQuery(name=ALT_IMAGE_NAME))
    if found:
        return str(found[0].id)
    with tempfile.TemporaryDirectory() as directory:
        disk = Path(directory) / ALT_IMAGE_NAME
        new = images.NewImage(
            image_id=uuid.uuid4(),
            name=ALT_IMAGE_NAME,
            visibility="public",
            owner=owner_id,
            disk_format=_disk(disk),
            container_format="bare",
        )
        image = images.create_image(caller, new)
        with disk.open("rb") as data:
            images.upload_data(caller, str(image.id), data)
    return str(image.id)


def seed(admin_password: str) -> dict[str, Any]:
    """Seed the conformance cloud through the service layer; returns the facts tempest.conf
    needs that the API does not say (the ids seeded, the scheduler's filters)."""
    _setup_django()
    from django.conf import settings
    from django.db import transaction

    from core.exceptions import NotFound
    from identity.services import roles
    from identity.services.own_endpoints import register_own_endpoints
    from novasite import demo
    from novasite.admin_support import operator_caller
    from servers.services import flavors

    caller = operator_caller("conformance")
    with transaction.atomic():
        for name in ROLES:
            if not roles.list_roles(caller).filter(name=name).exists():
                roles.create_role(caller, name)
        admin_project = demo.seed_identity(caller, admin_password, admin_password)
        register_own_endpoints(caller, settings.REGION_NAME)
        for flavorid, name, vcpus, ram, disk in DEVSTACK_FLAVORS:
            try:
                flavors.get_flavor(caller, flavorid)
            except NotFound:
                spec = flavors.FlavorCreate(name=name, flavorid=flavorid, vcpus=vcpus, ram=ram, disk=disk)
                flavors.create_flavor(caller, spec)
        network = demo.seed_network(caller, admin_project)
    image = demo.seed_image(caller, admin_project)
    if image is None:
        raise SystemExit("the cirros image could not be seeded")
    return {
        "region": settings.REGION_NAME,
        "admin_project": admin_project.name,
        "image_ref": str(image.id),
        "image_ref_alt": _alt_image(caller, admin_project.id),
        "flavor_ref": DEVSTACK_FLAVORS[0][0],
        "flavor_ref_alt": DEVSTACK_FLAVORS[1][0],
        "fixed_network_name": network.name,
        "scheduler_filters": [path.rsplit(".", 1)[-1] for path in settings.SCHEDULER_FILTERS],
    }


def inventory() -> dict[str, list[str]]:
    """Every live resource of the kinds a Tempest test creates, as sorted "id name" strings
    (deleted servers and images keep tombstone rows: those are not live)."""
    _setup_django()
    from hosts.models import Aggregate
    from identity.models import Project, User
    from images.models import Image
    from networks.models import Network, Port
    from servers.models import Flavor, Keypair, Server, ServerGroup
    from volumes.models import Volume

    kinds: dict[str, Any] = {
        "servers": Server.objects.filter(deleted=False).values_list("uuid", "name"),
        "aggregates": Aggregate.objects.values_list("id", "name"),
        "projects": Project.objects.values_list("id", "name"),
        "users": User.objects.values_list("id", "name"),
        "flavors": Flavor.objects.values_list("flavorid", "name"),
        "keypairs": Keypair.objects.values_list("user_id", "name"),
        "server_groups": ServerGroup.objects.values_list("uuid", "name"),
        "images": _images(Image, Server),
        "volumes": Volume.objects.values_list("id", "name"),
        "networks": Network.objects.values_list("id", "name"),
        "ports": Port.objects.values_list("id", "device_id"),
    }
    return {kind: sorted(f"{key} {name or ''}".strip() for key, name in rows) for kind, rows in kinds.items()}


def _images(image_model: Any, server_model: Any) -> list[tuple[str, str]]:
    """Live images as (id, name), a snapshot's or backup's name followed by "of <server name>"
    (a test's server names its class, which is what tells a leak's test)."""
    from core.ids import is_uuid

    rows = list(image_model.objects.exclude(status="deleted").values_list("id", "name", "properties"))
    servers_of = {key: props.get("instance_uuid") for key, _, props in rows if isinstance(props, dict)}
    wanted = {value for value in servers_of.values() if isinstance(value, str) and is_uuid(value)}
    names = {str(key): name for key, name in server_model.objects.filter(uuid__in=wanted).values_list("uuid", "name")}
    shown = []
    for key, name, _ in rows:
        owner = names.get(str(servers_of.get(key)))
        shown.append((key, f"{name or ''} of {owner}" if owner else name))
    return shown


def main(argv: list[str] | None = None) -> int:
    """The command line (see the module's docstring)."""
    parser = argparse.ArgumentParser(prog="python -m conformance.cloud")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("reset-db", help="drop and create the database DATABASE_URL names")
    seeding = commands.add_parser("seed", help="seed the cloud; write the facts for tempest.conf")
    seeding.add_argument("facts", type=Path)
    taking = commands.add_parser("inventory", help="write every live resource a test could leave")
    taking.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    if args.command == "reset-db":
        reset_database(os.environ["DATABASE_URL"])
    elif args.command == "seed":
        facts = seed(os.environ.get("ADMIN_PASSWORD", "secret"))
        args.facts.write_text(json.dumps(facts, indent=2) + "\n")
    else:
        args.out.write_text(json.dumps(inventory(), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
