"""Nova's 2024.2 "manager" defaults for moves (nova/policies/migrate_server.py,
migrations.py, servers_migrations.py): a project manager live- or cold-migrates its
project's servers without naming a host, follows and steers the live migration, and lists
its own project's migrations, always without seeing hosts; everything else stays with admins."""

from __future__ import annotations

import pytest

from hosts.heartbeats import record_compute_report
from identity.models import Project
from servers.models import Migration, Server

from .servers_helpers import demo_server
from .test_identity_tempest import create_credentials

pytestmark = pytest.mark.django_db

V280 = {"HTTP_OPENSTACK_API_VERSION": "compute 2.80"}
HOSTS = ("source_compute", "source_node", "dest_compute", "dest_node", "dest_host")


@pytest.fixture
def server(demo_api):
    for host in ("c1", "c2"):
        record_compute_report(host, {"vcpus": 4, "memory_mb": 4096, "disk_gb": 40})
    return demo_server()


@pytest.fixture
def manager(admin_api, server):
    project = admin_api.get(f"/identity/v3/projects/{server.project_id}").json()["project"]
    return create_credentials(admin_api, project, "demo-manager", "manager")


def act(api, server, body):
    return api.post(f"/compute/v2.1/servers/{server.uuid}/action", body, format="json", **V280)


def test_a_manager_live_migrates_without_naming_a_host(manager, server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = act(manager, server, {"os-migrateLive": {"host": None, "block_migration": "auto"}})
    assert response.status_code == 202, response.content
    assert Migration.objects.get(server=server).migration_type == "live-migration"


def test_naming_a_host_stays_with_admins(manager, server):
    refused = act(manager, server, {"os-migrateLive": {"host": "c2", "block_migration": "auto"}})
    assert refused.status_code == 403
    assert "os_compute_api:os-migrate-server:migrate_live:host" in refused.json()["forbidden"]["message"]
    refused = act(manager, server, {"migrate": {"host": "c2"}})
    assert refused.status_code == 403
    assert "os_compute_api:os-migrate-server:migrate:host" in refused.json()["forbidden"]["message"]
    assert not Migration.objects.exists()


def test_a_manager_cold_migrates(manager, server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        assert act(manager, server, {"migrate": None}).status_code == 202
    assert Migration.objects.get(server=server).migration_type == "migration"


def test_a_member_may_not_migrate(demo_api, server):
    assert act(demo_api, server, {"os-migrateLive": {"host": None, "block_migration": "auto"}}).status_code == 403
    assert act(demo_api, server, {"migrate": None}).status_code == 403


def running_live_migration(server) -> Migration:
    return Migration.objects.create(
        server=server,
        migration_type="live-migration",
        status="running",
        source_compute="c1",
        source_node="c1",
        dest_compute="c2",
        dest_node="c2",
        dest_host="10.0.0.2",
        old_flavor=server.flavor,
        new_flavor=server.flavor,
        project_id=server.project_id,
        user_id=server.user_id,
    )


def test_a_manager_follows_live_migrations_without_hosts(manager, admin_api, server):
    migration = running_live_migration(server)
    url = f"/compute/v2.1/servers/{server.uuid}/migrations"
    [seen] = manager.get(url, **V280).json()["migrations"]
    assert seen["uuid"] == str(migration.uuid) and seen["project_id"] == server.project_id
    assert all(seen[name] is None for name in HOSTS)
    [by_admin] = admin_api.get(url, **V280).json()["migrations"]
    assert by_admin["source_compute"] == "c1" and by_admin["dest_compute"] == "c2"
    # Showing one stays with admins.
    assert manager.get(f"{url}/{migration.pk}", **V280).status_code == 403


def test_server_migrations_fields_follow_the_microversion(admin_api, server):
    running_live_migration(server)
    url = f"/compute/v2.1/servers/{server.uuid}/migrations"
    [at_223] = admin_api.get(url, HTTP_OPENSTACK_API_VERSION="compute 2.23").json()["migrations"]
    assert "uuid" not in at_223 and "project_id" not in at_223 and "user_id" not in at_223
    [at_259] = admin_api.get(url, HTTP_OPENSTACK_API_VERSION="compute 2.59").json()["migrations"]
    assert "uuid" in at_259 and "project_id" not in at_259
    [at_280] = admin_api.get(url, **V280).json()["migrations"]
    assert at_280["user_id"] == server.user_id and at_280["project_id"] == server.project_id


def test_a_manager_lists_its_own_projects_migrations_only(manager, admin_api, server):
    running_live_migration(server)
    mine = manager.get("/compute/v2.1/os-migrations", {"project_id": server.project_id}, **V280)
    assert mine.status_code == 200, mine.content
    [row] = mine.json()["migrations"]
    assert row["project_id"] == server.project_id and all(row[name] is None for name in HOSTS)
    every = manager.get("/compute/v2.1/os-migrations", **V280)
    assert every.status_code == 403
    assert "os_compute_api:os-migrations:index:all_projects" in every.json()["forbidden"]["message"]
    admin_project = Project.objects.get(name="admin").id
    assert manager.get("/compute/v2.1/os-migrations", {"project_id": admin_project}, **V280).status_code == 403
    [by_admin] = admin_api.get("/compute/v2.1/os-migrations", **V280).json()["migrations"]
    assert by_admin["source_compute"] == "c1"


def test_an_unknown_host_is_400_for_cold_and_live_migration(admin_api, server):
    for body in (
        {"os-migrateLive": {"host": "nowhere", "block_migration": "auto"}},
        {"migrate": {"host": "nowhere"}},
    ):
        response = admin_api.post(
            f"/compute/v2.1/servers/{server.uuid}/action",
            body,
            format="json",
            HTTP_OPENSTACK_API_VERSION="compute 2.56",
        )
        assert response.status_code == 400, (body, response.content)
        assert response.json()["badRequest"]["message"] == "Compute host nowhere could not be found."
    assert not Migration.objects.exists()


def force_complete(api, server, migration_id):
    url = f"/compute/v2.1/servers/{server.uuid}/migrations/{migration_id}/action"
    return api.post(url, {"force_complete": None}, format="json", **V280)


def test_a_manager_force_completes_a_running_live_migration_named_by_its_id(manager, server):
    Server.objects.filter(pk=server.pk).update(task_state="migrating")
    migration = running_live_migration(server)
    assert force_complete(manager, server, migration.pk).status_code == 202
    # Nova finds the migration by its integer id only: a uuid names none (400).
    by_uuid = force_complete(manager, server, migration.uuid)
    assert by_uuid.status_code == 400 and "could not be found" in by_uuid.json()["badRequest"]["message"]


def test_force_complete_follows_novas_order_of_refusals(admin_api, server):
    migration = running_live_migration(server)
    not_migrating = force_complete(admin_api, server, migration.pk)
    assert not_migrating.status_code == 409
    assert "force_complete" in not_migrating.json()["conflictingRequest"]["message"]
    Server.objects.filter(pk=server.pk).update(task_state="migrating")
    unknown = force_complete(admin_api, server, "4bd4b1f5-6c9b-4a38-a1f3-0e6c4c2a3a8e")
    assert unknown.status_code == 400 and "could not be found" in unknown.json()["badRequest"]["message"]
    Migration.objects.filter(pk=migration.pk).update(status="queued")
    queued = force_complete(admin_api, server, migration.pk)
    assert queued.status_code == 400
    assert queued.json()["badRequest"]["message"] == (
        f"Migration {migration.pk} state of instance {server.uuid} is queued. "
        "Cannot force complete while the migration is in this state."
    )


def test_aborting_a_running_live_migration_marks_it_cancelling(admin_api, server):
    """The source hypervisor is asked to abort the job, and the migration is marked first, so
    that the rollback records it as cancelled (as Nova does), not as failed with a fault; a
    second abort finds nothing left to abort."""
    migration = running_live_migration(server)
    url = f"/compute/v2.1/servers/{server.uuid}/migrations/{migration.pk}"
    assert admin_api.delete(url, **V280).status_code == 202
    migration.refresh_from_db()
    assert migration.status == "cancelling"
    again = admin_api.delete(url, **V280)
    assert again.status_code == 409 and "cannot be aborted" in again.json()["conflictingRequest"]["message"]
