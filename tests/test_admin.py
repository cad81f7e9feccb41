"""The operator's console: every model is registered, its pages answer, workflow-owned fields
are read-only, and no changelist makes a query per row."""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hosts.models import Aggregate, AggregateHost, Allocation, ComputeNode, Region, Service
from identity.models import Project, Role, RoleAssignment, Token, User
from images.models import Image
from networks.models import Network, NetworkQuota, Port, Subnet
from servers.models import (
    Flavor,
    FlavorAccess,
    InstanceAction,
    InstanceActionEvent,
    Keypair,
    Migration,
    QuotaLimit,
    QuotaUsage,
    Server,
    ServerFault,
    ServerGroup,
    ServerGroupMember,
    VolumeAttachment,
)
from volumes.models import Volume

APPS = ("identity", "hosts", "servers", "images", "networks", "volumes")
MODELS = [model for label in APPS for model in apps.get_app_config(label).get_models()]
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


def model_id(model: type[Model]) -> str:
    return model._meta.label


def populate(n: int = 1) -> dict[type[Model], Model]:
    """One row of every model (suffix `n` keeps repeated calls unique); returns them by model."""
    now = timezone.now()
    rows: dict[type[Model], Model] = {}

    def add(obj: Model) -> Model:
        obj.save()
        rows.setdefault(type(obj), obj)
        return obj

    project = add(Project(name=f"project{n}"))
    user = add(User(name=f"user{n}", password=make_password("secret"), default_project=project))
    role = add(Role(name=f"role{n}"))
    add(RoleAssignment(user=user, project=project, role=role))
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

    add(Region(id=f"Region{n}"))
    aggregate = add(Aggregate(name=f"agg{n}", metadata={"availability_zone": f"az{n}"}))
    add(AggregateHost(aggregate=aggregate, host=f"compute{n}"))
    service = add(Service(host=f"compute{n}", binary="nova-compute", last_seen_up=now))
    add(Service(host=f"controller{n}", binary="nova-conductor", last_seen_up=now))
    node = add(
        ComputeNode(
            host=f"compute{n}",
            service=service,
            hypervisor_hostname=f"compute{n}.example",
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
            host=f"compute{n}",
            node=f"compute{n}.example",
            availability_zone=f"az{n}",
        )
    )
    add(ServerFault(server=server, message="No valid host was found.", host=f"compute{n}"))
    group = add(ServerGroup(name=f"group{n}", project_id=project.id, user_id=user.id, policy="anti-affinity"))
    add(ServerGroupMember(group=group, server=server))
    add(QuotaLimit(project_id=project.id, resource="instances", hard_limit=10))
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
    add(Migration(server=server, migration_type="resize", source_compute=f"compute{n}"))
    add(VolumeAttachment(server=server, volume_id=uuid.uuid4(), device="sdb", status="attached"))
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
    add(Volume(name=f"vol{n}", project_id=project.id, user_id=user.id, size=1, status="available"))
    network = add(Network(name=f"net{n}", project_id=project.id))
    add(Subnet(network=network, project_id=project.id, cidr=f"10.0.{n}.0/24", gateway_ip=f"10.0.{n}.1"))
    add(
        Port(
            network=network,
            project_id=project.id,
            mac_address=f"fa:16:3e:00:00:{n:02x}",
            fixed_ips=[{"subnet_id": "x", "ip_address": f"10.0.{n}.5"}],
            device_id=str(server.uuid),
        )
    )
    add(NetworkQuota(project_id=project.id, limits={"network": 10}))
    return rows


def url(model: type[Model], view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def staff(client, db):
    from django.contrib.auth.models import User as AuthUser

    client.force_login(AuthUser.objects.create_superuser("operator", "op@example.com", "secret"))
    return client


@pytest.fixture
def rows(db) -> dict[type[Model], Model]:
    return populate()


def test_every_model_is_registered():
    missing = [model_id(m) for m in MODELS if not admin.site.is_registered(m)]
    assert missing == []


def test_populate_covers_every_model(rows):
    assert sorted(map(model_id, MODELS)) == sorted(map(model_id, rows))


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_changelist_answers(staff, rows, model):
    response = staff.get(url(model, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_search_answers(staff, rows, model):
    for term in ("x", str(uuid.uuid4())):
        assert staff.get(url(model, "changelist"), {"q": term}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_change_page_answers(staff, rows, model):
    assert staff.get(url(model, "change", rows[model].pk)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_changelist_makes_no_query_per_row(staff, model):
    populate(1)
    with CaptureQueriesContext(connection) as one:
        assert staff.get(url(model, "changelist")).status_code == 200
    populate(2)
    populate(3)
    with CaptureQueriesContext(connection) as three:
        assert staff.get(url(model, "changelist")).status_code == 200
    assert len(three) == len(one), [q["sql"] for q in three.captured_queries]


@pytest.mark.django_db
def test_server_state_is_read_only(staff, rows):
    content = staff.get(url(Server, "change", rows[Server].pk)).content
    for field in (
        "vm_state",
        "task_state",
        "power_state",
        "host",
        "node",
        "availability_zone",
        "flavor",
        "deleted",
        "locked_by",
        "launched_at",
        "project_id",
    ):
        assert f'name="{field}"'.encode() not in content, field
    assert b'name="name"' in content
    assert b"ACTIVE" in content  # the computed status


@pytest.mark.django_db
def test_server_changelist_shows_status(staff, rows):
    Server.objects.filter(pk=rows[Server].pk).update(task_state="rebooting")
    assert b"REBOOT" in staff.get(url(Server, "changelist")).content


@pytest.mark.django_db
def test_server_cannot_be_added_or_deleted(staff, rows):
    server = rows[Server]
    assert staff.get(url(Server, "add")).status_code == 403
    assert staff.get(url(Server, "delete", server.pk)).status_code == 403
    assert staff.post(url(Server, "delete", server.pk), {"post": "yes"}).status_code == 403
    assert Server.objects.filter(pk=server.pk).exists()


@pytest.mark.django_db
def test_allocation_is_read_only(staff, rows):
    allocation = rows[Allocation]
    assert staff.get(url(Allocation, "add")).status_code == 403
    assert staff.get(url(Allocation, "delete", allocation.pk)).status_code == 403
    content = staff.get(url(Allocation, "change", allocation.pk)).content
    assert b'name="vcpus"' not in content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model",
    [
        Allocation,
        QuotaUsage,
        InstanceAction,
        InstanceActionEvent,
        ServerFault,
        Migration,
        Token,
    ],
    ids=model_id,
)
def test_audit_and_accounting_records_have_no_add_page(staff, rows, model):
    assert staff.get(url(model, "add")).status_code == 403


@pytest.mark.django_db
def test_quota_usage_cannot_be_changed(staff, rows):
    usage = rows[QuotaUsage]
    response = staff.post(url(QuotaUsage, "change", usage.pk), {"in_use": 0, "project_id": "p", "resource": "r"})
    assert response.status_code == 403
    usage.refresh_from_db()
    assert usage.in_use == 1


@pytest.mark.django_db
def test_compute_node_totals_are_read_only_but_ratios_editable(staff, rows):
    content = staff.get(url(ComputeNode, "change", rows[ComputeNode].pk)).content
    for field in (
        "vcpus",
        "memory_mb",
        "local_gb",
        "vcpus_used",
        "memory_mb_used",
        "running_vms",
        "hypervisor_type",
        "cpu_info",
    ):
        assert f'name="{field}"'.encode() not in content, field
    for field in ("cpu_allocation_ratio", "ram_allocation_ratio", "reserved_host_memory_mb"):
        assert f'name="{field}"'.encode() in content, field


@pytest.mark.django_db
def test_service_columns(staff, rows):
    response = staff.get(url(Service, "changelist"))
    content = response.content
    assert b"az1" in content and b"internal" in content and b">up<" in content
    assert b'name="last_seen_up"' not in staff.get(url(Service, "change", rows[Service].pk)).content


@pytest.mark.django_db
def test_service_down_when_forced(staff, rows):
    Service.objects.update(forced_down=True)
    content = staff.get(url(Service, "changelist")).content
    assert b">down<" in content and b">up<" not in content


@pytest.mark.django_db
def test_aggregate_zone_comes_from_metadata(staff, rows):
    aggregate = rows[Aggregate]
    content = staff.get(url(Aggregate, "change", aggregate.pk)).content
    assert b'name="availability_zone"' not in content
    assert b'name="hosts-0-host"' in content


@pytest.mark.django_db
def test_user_password_hash_is_never_shown(staff, rows):
    user = rows[User]
    assert user.password.encode() not in staff.get(url(User, "changelist")).content
    content = staff.get(url(User, "change", user.pk)).content
    assert user.password.encode() not in content
    assert b'name="password"' not in content
    assert b"algorithm" in content


@pytest.mark.django_db
def test_user_new_password_is_hashed(staff, rows):
    user = rows[User]
    response = staff.post(
        url(User, "change", user.pk),
        {
            "name": user.name,
            "domain_id": user.domain_id,
            "email": "",
            "enabled": "on",
            "default_project": user.default_project_id,
            "new_password": "changed",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert user.check_password("changed") and "changed" not in user.password


@pytest.mark.django_db
def test_user_keeps_password_when_none_given(staff, rows):
    user = rows[User]
    staff.post(url(User, "change", user.pk), {"name": "renamed", "domain_id": user.domain_id, "enabled": "on"})
    user.refresh_from_db()
    assert user.name == "renamed" and user.check_password("secret")


@pytest.mark.django_db
def test_token_digest_is_never_listed(staff, rows):
    token = rows[Token]
    content = staff.get(url(Token, "changelist")).content
    assert token.audit_id.encode() in content
    assert token.digest.encode() not in content.replace(
        url(Token, "change", token.pk).encode(),
        b"",
    )
