"""Server actions at the API, without workers: state rules (409), locks, policy (403),
capability checks, and that a refused action changes nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from core.exceptions import PolicyNotAuthorized
from core.principal import Caller
from hosts.heartbeats import record_compute_report
from servers.models import InstanceAction, Migration, Server
from servers.services import migrations, moves, operations

pytestmark = pytest.mark.django_db

CAPS = {"supports_set_admin_password": True, "supports_nmi": True}


@pytest.fixture
def server(demo_api):
    from identity.models import Project, User

    record_compute_report("c1", {"vcpus": 4, "memory_mb": 4096, "disk_gb": 40, "capabilities": CAPS})
    return Server.objects.create(
        name="vm",
        project_id=Project.objects.get(name="demo").id,
        user_id=User.objects.get(name="demo").id,
        flavor={"flavorid": "42", "name": "cirros", "vcpus": 1, "memory_mb": 128, "root_gb": 1},
        vm_state="active",
        power_state=1,
        host="c1",
        node="c1",
        launched_at=timezone.now(),
    )


def act(api, server, body, **headers):
    return api.post(f"/compute/v2.1/servers/{server.uuid}/action", body, format="json", **headers)


def test_wrong_state_is_409_in_novas_words(demo_api, server):
    response = act(demo_api, server, {"os-start": None})
    assert response.status_code == 409
    assert response.json()["conflictingRequest"]["message"] == (
        f"Cannot 'start' instance {server.uuid} while it is in vm_state active"
    )
    assert not InstanceAction.objects.filter(server=server).exists()


def test_a_task_in_progress_is_409(demo_api, server):
    Server.objects.filter(pk=server.pk).update(task_state="pausing")
    response = act(demo_api, server, {"os-stop": None})
    assert response.status_code == 409 and "task_state pausing" in response.json()["conflictingRequest"]["message"]


def test_accepted_action_sets_the_task_state_and_records_the_action(
    demo_api, server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as published:
        assert act(demo_api, server, {"pause": None}).status_code == 202
    server.refresh_from_db()
    assert server.task_state == "pausing"
    assert InstanceAction.objects.get(server=server).action == "pause"
    assert len(published) == 1


def test_locked_servers_refuse_their_owner_but_not_admins(
    demo_api, admin_api, server, django_capture_on_commit_callbacks
):
    assert (
        act(demo_api, server, {"lock": {"locked_reason": "x"}}, HTTP_OPENSTACK_API_VERSION="compute 2.73").status_code
        == 202
    )
    response = act(demo_api, server, {"os-stop": None})
    assert response.status_code == 409 and "locked" in response.json()["conflictingRequest"]["message"]
    with django_capture_on_commit_callbacks(execute=False):
        assert act(admin_api, server, {"os-stop": None}).status_code == 202


def test_admin_only_actions_are_403_for_members(demo_api, server):
    body: object
    for body in (
        {"os-resetState": {"state": "error"}},
        {"migrate": None},
        {"os-migrateLive": {"host": None, "block_migration": "auto"}},
        {"evacuate": {"onSharedStorage": False}},  # required before 2.14 (else 400 first, as Nova)
    ):
        response = act(demo_api, server, body)
        assert response.status_code == 403, body
        assert "forbidden" in response.json()


def member_of(server: Server) -> Caller:
    """The server's owner, as the admin console or a command would name a non-admin."""
    return Caller(server.user_id, server.project_id, is_admin=False, request_id="req-member")


SERVICE_ADMIN_ACTIONS = {
    "os_compute_api:os-admin-actions:reset_state": lambda caller, server: operations.reset_state(
        caller, server, "error"
    ),
    "os_compute_api:os-migrate-server:migrate": lambda caller, server: moves.migrate(caller, server),
    "os_compute_api:os-migrate-server:migrate_live": lambda caller, server: moves.live_migrate(caller, server),
    "os_compute_api:os-evacuate": lambda caller, server: moves.evacuate(caller, server),
    "os_compute_api:servers:migrations:index": lambda caller, server: moves.live_migrations(caller, server),
    "os_compute_api:servers:migrations:show": lambda caller, server: moves.live_migration(caller, server, "1"),
    "os_compute_api:servers:migrations:delete": lambda caller, server: moves.abort_live_migration(caller, server, "1"),
    "os_compute_api:servers:migrations:force_complete": lambda caller, server: moves.force_complete_live_migration(
        caller, server, "1"
    ),
    "os_compute_api:os-migrations:index": lambda caller, server: migrations.list_migrations(
        caller, migrations.MigrationQuery()
    ),
}


@pytest.mark.parametrize("rule", sorted(SERVICE_ADMIN_ACTIONS))
def test_admin_actions_are_refused_by_the_service_layer(server, rule, django_capture_on_commit_callbacks):
    """The refusal is the service function's, so the admin console and commands get it too."""
    with (
        django_capture_on_commit_callbacks(execute=False) as published,
        pytest.raises(PolicyNotAuthorized) as refused,
    ):
        SERVICE_ADMIN_ACTIONS[rule](member_of(server), server)
    assert refused.value.rule == rule
    server.refresh_from_db()
    assert server.vm_state == "active" and server.task_state is None
    assert not InstanceAction.objects.filter(server=server).exists()
    assert not Migration.objects.exists() and not published


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"a": None, "b": None},
        {"reboot": "x"},
        {"reboot": {}},
        {"nope": None},
        {"resize": {}},
        {"rebuild": {}},
        {"createBackup": {"name": "b"}},
        {"lock": {"locked_reason": "x"}},
        {"changePassword": {}},
        [],
        "x",
    ],
)
def test_malformed_action_bodies_are_400(demo_api, server, body):
    response = act(demo_api, server, body)
    assert response.status_code == 400, (body, response.content)
    server.refresh_from_db()
    assert server.task_state is None


@pytest.mark.parametrize("reason", ["x" * 256, 42])
def test_a_lock_reason_the_service_refuses_is_400(demo_api, server, reason):
    """The reason's rule is the service's (operations.check_locked_reason), as the admin's."""
    response = act(demo_api, server, {"lock": {"locked_reason": reason}}, HTTP_OPENSTACK_API_VERSION="compute 2.73")
    assert response.status_code == 400
    assert response.json()["badRequest"]["message"] == "Invalid input for field/attribute lock: locked_reason."
    server.refresh_from_db()
    assert not server.locked and not InstanceAction.objects.filter(server=server).exists()


def test_password_and_crash_dump_follow_the_host_capabilities(demo_api, server):
    from hosts.models import ComputeNode

    ComputeNode.objects.filter(host="c1").update(
        capabilities={"supports_set_admin_password": False, "supports_nmi": False}
    )
    response = act(demo_api, server, {"changePassword": {"adminPass": "x"}})
    assert response.status_code == 409 and "Unable to set password" in response.json()["conflictingRequest"]["message"]
    assert (
        act(demo_api, server, {"trigger_crash_dump": None}, HTTP_OPENSTACK_API_VERSION="compute 2.17").status_code
        == 400
    )
    server.refresh_from_db()
    assert server.task_state is None


def test_unknown_server_is_404(demo_api, server):
    response = demo_api.post(
        "/compute/v2.1/servers/00000000-0000-0000-0000-000000000000/action", {"pause": None}, format="json"
    )
    assert response.status_code == 404
