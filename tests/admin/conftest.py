"""Fixtures of the admin console tests: a logged-in operator, one row of every model, and
image and volume directories of their own."""

from __future__ import annotations

import hashlib
import ipaddress
import uuid
from datetime import timedelta
from typing import TypeVar

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User as AuthUser
from django.db.models import Model
from django.test import Client
from django.utils import timezone

from hosts.models import Aggregate, AggregateHost, Allocation, ComputeNode, Service
from identity.models import (
    CatalogService,
    DomainRoleAssignment,
    Endpoint,
    Project,
    Region,
    Role,
    RoleAssignment,
    Token,
    User,
)
from images.models import Image
from networks.models import (
    FloatingIP,
    IPAllocation,
    Network,
    NetworkQuota,
    Port,
    Router,
    SecurityGroup,
    SecurityGroupRule,
    Subnet,
)
from servers.models import (
    BlockDeviceMapping,
    Flavor,
    FlavorAccess,
    InstanceAction,
    InstanceActionEvent,
    Keypair,
    Migration,
    QuotaClassLimit,
    QuotaLimit,
    QuotaUsage,
    Server,
    ServerFault,
    ServerGroup,
    ServerGroupMember,
    ServerTag,
    UserQuotaLimit,
    VolumeAttachment,
)
from volumes.models import Snapshot, Volume

T = TypeVar("T", bound=Model)
FLAVOR = {
    "flavorid": "1",
    "name": "m1.tiny",
    "vcpus": 1,
    "memory_mb": 512,
    "root_gb": 1,
    "ephemeral_gb": 0,
    "swap": 0,
    "extra_specs": {},
}


def populate(n: int = 1) -> dict[type[Model], Model]:
    """One row of every model (suffix `n` keeps repeated calls unique); returns them by model.
    Its hosts (host<n>) are not the demo cloud's, so a test may seed that too."""
    now = timezone.now()
    rows: dict[type[Model], Model] = {}

    def add(obj: T) -> T:
        obj.save()
        rows.setdefault(type(obj), obj)
        return obj

    project = add(Project(name=f"project{n}"))
    user = add(User(name=f"user{n}", password=make_password("secret"), default_project=project))
    role = add(Role(name=f"role{n}"))
    add(RoleAssignment(user=user, project=project, role=role))
    add(DomainRoleAssignment(user=user, role=role))
    add(
        Token(
            digest=hashlib.sha256(f"token{n}".encode()).hexdigest(),
            user=user,
            project=project,
            roles=[role.name],
            audit_id=f"audit{n}",
            issued_at=now,
            expires_at=now + timedelta(hours=1),
        )
    )

    region = add(Region(id=f"Region{n}"))
    catalog_service = add(CatalogService(type=f"compute{n}", name=f"nova{n}"))
    add(Endpoint(service=catalog_service, region=region, interface="public", url=f"http://10.0.0.{n}/compute"))
    aggregate = add(Aggregate(name=f"agg{n}", metadata={"availability_zone": f"az{n}"}))
    add(AggregateHost(aggregate=aggregate, host=f"host{n}"))
    service = add(Service(host=f"host{n}", binary="nova-compute", last_seen_up=now))
    add(Service(host=f"controller{n}", binary="nova-conductor", last_seen_up=now))
    node = add(
        ComputeNode(
            host=f"host{n}",
            service=service,
            hypervisor_hostname=f"host{n}.example",
            vcpus=8,
            memory_mb=8192,
            local_gb=100,
            cpu_allocation_ratio=4.0,
            ram_allocation_ratio=1.0,
            disk_allocation_ratio=1.0,
        )
    )

    flavor = add(Flavor(name=f"m1.tiny{n}", flavorid=f"tiny{n}", vcpus=1, memory_mb=512, root_gb=1))
    add(FlavorAccess(flavor=flavor, project_id=project.id))
    add(Keypair(name=f"key{n}", user_id=user.id, public_key="ssh-ed25519 AAAA", fingerprint=f"fp{n}"))
    server = add(
        Server(
            name=f"vm{n}",
            project_id=project.id,
            user_id=user.id,
            flavor=FLAVOR,
            vm_state="active",
            power_state=1,
            host=f"host{n}",
            node=f"host{n}.example",
            availability_zone=f"az{n}",
        )
    )
    add(ServerFault(server=server, message="No valid host was found.", host=f"host{n}"))
    group = add(ServerGroup(name=f"group{n}", project_id=project.id, user_id=user.id, policy="anti-affinity"))
    add(ServerGroupMember(group=group, server=server))
    add(ServerTag(server=server, tag=f"tag{n}"))
    add(QuotaLimit(project_id=project.id, resource="instances", hard_limit=10))
    add(UserQuotaLimit(project_id=project.id, user_id=user.id, resource="ram", hard_limit=512))
    add(QuotaClassLimit(class_name=f"class{n}", resource="ram", hard_limit=1024))
    add(QuotaUsage(project_id=project.id, resource="instances", in_use=1))
    action = add(
        InstanceAction(
            server=server,
            action="create",
            request_id=f"req-{n}",
            user_id=user.id,
            project_id=project.id,
        )
    )
    add(InstanceActionEvent(action=action, event="compute_build_and_run_instance", result="Success"))
    add(Migration(server=server, migration_type="resize", source_compute=f"host{n}"))
    add(VolumeAttachment(server=server, volume_id=uuid.uuid4(), device="sdb", status="attached"))
    add(BlockDeviceMapping(server=server, source_type="blank", destination_type="volume", volume_size=1))
    add(
        Allocation(
            consumer=server.uuid,
            compute_node=node,
            vcpus=1,
            memory_mb=512,
            disk_gb=1,
            project_id=project.id,
            user_id=user.id,
        )
    )

    add(Image(name=f"cirros{n}", status="active", visibility="public"))
    volume = add(Volume(name=f"vol{n}", project_id=project.id, user_id=user.id, size=1, status="available"))
    add(Snapshot(volume=volume, name=f"snap{n}", project_id=project.id, user_id=user.id, size=1, status="available"))
    network = add(Network(name=f"net{n}", project_id=project.id))
    subnet = add(Subnet(network=network, project_id=project.id, cidr=f"10.0.{n}.0/24", gateway_ip=f"10.0.{n}.1"))
    server_port = add(
        Port(
            network=network,
            project_id=project.id,
            mac_address=f"fa:16:3e:00:00:{n:02x}",
            fixed_ips=[{"subnet_id": "x", "ip_address": f"10.0.{n}.5"}],
            device_id=str(server.uuid),
        )
    )
    add(IPAllocation(subnet=subnet, port=server_port, address=int(ipaddress.IPv4Address(f"10.0.{n}.5"))))
    add(NetworkQuota(project_id=project.id, limits={"network": 10}))
    external = Network.objects.create(name=f"public{n}", project_id=project.id, external=True)
    gateway = Port.objects.create(
        network=external,
        mac_address=f"fa:16:3e:00:01:{n:02x}",
        fixed_ips=[{"subnet_id": "x", "ip_address": f"172.24.{n}.2"}],
        device_owner="network:router_gateway",
    )
    router = add(Router(name=f"router{n}", project_id=project.id, gateway_port=gateway))
    Port.objects.filter(pk=gateway.pk).update(device_id=str(router.id))
    Port.objects.create(
        network=network,
        project_id=project.id,
        mac_address=f"fa:16:3e:00:02:{n:02x}",
        fixed_ips=[{"subnet_id": "x", "ip_address": f"10.0.{n}.1"}],
        device_id=str(router.id),
        device_owner="network:router_interface",
    )
    floating = Port.objects.create(
        network=external,
        mac_address=f"fa:16:3e:00:03:{n:02x}",
        fixed_ips=[{"subnet_id": "x", "ip_address": f"172.24.{n}.3"}],
        device_owner="network:floatingip",
    )
    add(
        FloatingIP(
            project_id=project.id,
            floating_network=external,
            floating_port=floating,
            floating_ip_address=f"172.24.{n}.3",
            port=server_port,
            fixed_ip_address=f"10.0.{n}.5",
            router=router,
        )
    )
    security_group = add(SecurityGroup(name=f"web{n}", project_id=project.id))
    add(
        SecurityGroupRule(
            security_group=security_group, project_id=project.id, direction="ingress", remote_group=security_group
        )
    )
    return rows


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    """Image and volume files of this test only."""
    settings.IMAGE_DIR = str(tmp_path / "images")
    settings.VOLUME_DIR = str(tmp_path / "volumes")


@pytest.fixture
def staff(client: Client, db: None) -> Client:
    client.force_login(AuthUser.objects.create_superuser("operator", "op@example.com", "secret"))
    return client


@pytest.fixture
def rows(db: None) -> dict[type[Model], Model]:
    return populate()
