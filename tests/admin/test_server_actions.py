"""Server actions in the admin: each button and bulk action calls the service function the
API calls (the task_state it claims, the InstanceAction it records, the workflow it
publishes), a refusal is the API's own message and changes nothing, and bulk actions name
the servers they could not act on."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.contrib.auth.models import User as AuthUser
from django.test import Client
from django.utils import timezone

from hosts.models import Service
from images.models import Image
from servers.models import InstanceAction, Migration, Server

from .conftest import populate
from .pages import messages_of, table, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def server(rows) -> Server:
    """vm1 on host1 (up), launched and ACTIVE; host2 is up too."""
    populate(2)
    server = rows[Server]
    Server.objects.filter(pk=server.pk).update(launched_at=timezone.now())
    server.refresh_from_db()
    return server


def press(client: Client, server: Server, action: str, **params: str) -> Any:
    """Click the button of ``action`` on the server's page."""
    return client.post(url(Server, "change", server.pk), {"_server_action": action, **params})


def bulk(client: Client, action: str, *servers: Server, **params: str) -> Any:
    """Run a changelist action on ``servers``; ``params`` (with post=yes) answer its confirmation page."""
    data = {"action": action, "_selected_action": [s.pk for s in servers], **params}
    return client.post(url(Server, "changelist"), data)


def set_state(server: Server, **columns: Any) -> None:
    Server.objects.filter(pk=server.pk).update(**columns)
    server.refresh_from_db()


def host_down(host: str) -> None:
    Service.objects.filter(host=host).update(last_seen_up=timezone.now() - timedelta(hours=1))


def recorded_actions(server: Server) -> list[str]:
    return list(InstanceAction.objects.filter(server=server).order_by("id").values_list("action", flat=True))


STOPPED = {"vm_state": "stopped", "power_state": 4}
# Each button: the state it needs, what it sends, then the task_state it claims and the
# instance action it records (servers.states.rules), and the workflows it publishes.
BUTTONS = [
    ("start", STOPPED, {}, "powering-on", "start", 1),
    ("stop", {}, {}, "powering-off", "stop", 1),
    ("reboot_soft", {}, {}, "rebooting", "reboot", 1),
    ("reboot_hard", STOPPED, {}, "rebooting_hard", "reboot", 1),
    ("pause", {}, {}, "pausing", "pause", 1),
    ("unpause", {"vm_state": "paused", "power_state": 3}, {}, "unpausing", "unpause", 1),
    ("suspend", {}, {}, "suspending", "suspend", 1),
    ("resume", {"vm_state": "suspended", "power_state": 7}, {}, "resuming", "resume", 1),
    ("migrate", {}, {}, "resize_prep", "migrate", 1),
    ("migrate", {}, {"target_host": "host2"}, "resize_prep", "migrate", 1),
    ("live_migrate", {}, {}, "migrating", "live-migration", 1),
    ("live_migrate", {}, {"target_host": "host2"}, "migrating", "live-migration", 1),
    ("shelve", {}, {}, "shelving", "shelve", 1),
    ("unshelve", {"vm_state": "shelved_offloaded", "host": None, "node": None}, {}, "unshelving", "unshelve", 1),
    ("delete", {}, {}, "deleting", "delete", 1),
]


@pytest.mark.parametrize(
    ("action", "state", "params", "task_state", "recorded", "published"),
    BUTTONS,
    ids=[f"{b[0]}{'-' + b[2]['target_host'] if b[2] else ''}" for b in BUTTONS],
)
def test_each_button_calls_the_service(
    staff, server, django_capture_on_commit_callbacks, action, state, params, task_state, recorded, published
):
    set_state(server, **state)
    with django_capture_on_commit_callbacks(execute=False) as workflows:
        response = press(staff, server, action, **params)
    assert response.status_code == 302
    expected_page = url(Server, "changelist") if action == "delete" else url(Server, "change", server.pk)
    assert response["Location"] == expected_page
    assert any(f"for {server.name}" in text for text in messages_of(response)), messages_of(response)
    server.refresh_from_db()
    assert server.task_state == task_state
    assert recorded_actions(server) == ["create", recorded]
    assert InstanceAction.objects.filter(server=server, action=recorded).get().user_id == "operator:operator"
    assert len(workflows) == published
    assert LogEntry.objects.filter(object_id=str(server.pk)).exists()


def test_a_move_to_a_named_host_records_it(staff, server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        press(staff, server, "live_migrate", target_host="host2")
    assert Migration.objects.get(server=server, migration_type="live-migration").dest_host == "host2"


def test_evacuate_a_server_of_a_dead_host(staff, server, django_capture_on_commit_callbacks):
    host_down("host1")
    with django_capture_on_commit_callbacks(execute=False) as workflows:
        response = press(staff, server, "evacuate", target_host="host2")
    assert f"Evacuation requested for {server.name}" in messages_of(response)
    server.refresh_from_db()
    assert server.task_state == "rebuilding"
    assert Migration.objects.get(server=server, migration_type="evacuation").dest_host == "host2"
    assert len(workflows) == 1


def test_shelve_makes_the_shelved_image(staff, server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        press(staff, server, "shelve")
    assert Image.objects.filter(properties__instance_uuid=str(server.uuid), properties__image_type="shelved").exists()


def test_lock_with_a_reason_and_unlock(staff, server):
    response = press(staff, server, "lock", lock_reason="disk forensics")
    assert messages_of(response) == [f"Lock set for {server.name}"]
    server.refresh_from_db()
    assert (server.locked, server.locked_by, server.locked_reason) == (True, "admin", "disk forensics")
    press(staff, server, "unlock")
    server.refresh_from_db()
    assert (server.locked, server.locked_by, server.locked_reason) == (False, None, None)
    assert recorded_actions(server) == ["create", "lock", "unlock"]


@pytest.mark.parametrize("state", ["active", "error"])
def test_reset_state(staff, server, state):
    set_state(server, task_state="powering-off", vm_state="stopped" if state == "active" else "active")
    press(staff, server, "reset_state", reset_state=state)
    server.refresh_from_db()
    assert (server.vm_state, server.task_state) == (state, None)
    assert recorded_actions(server) == ["create", "resetState"]


def test_an_admin_acts_on_a_locked_server_as_an_admin_token_does(staff, server, django_capture_on_commit_callbacks):
    """Nova's lock check spares admins (servers.states.checks): the operator is one."""
    set_state(server, locked=True, locked_by="owner", locked_reason="mine", **STOPPED)
    with django_capture_on_commit_callbacks(execute=False):
        response = press(staff, server, "start")
    assert messages_of(response) == [f"Start requested for {server.name}"]
    server.refresh_from_db()
    assert server.task_state == "powering-on"


# --- refusals: the API's message, nothing changed -----------------------------------------


def refusals(server: Server) -> list[tuple[str, dict[str, Any], dict[str, str], str]]:
    uuid = server.uuid
    return [
        ("start", {}, {}, f"Cannot 'start' instance {uuid} while it is in vm_state active"),
        ("stop", {"task_state": "pausing"}, {}, f"Cannot 'stop' instance {uuid} while it is in task_state pausing"),
        ("resume", {}, {}, f"Cannot 'resume' instance {uuid} while it is in vm_state active"),
        ("reboot_soft", STOPPED, {}, f"Cannot 'reboot' instance {uuid} while it is in vm_state stopped"),
        ("lock", {}, {"lock_reason": "x" * 256}, "Invalid input for field/attribute lock: locked_reason."),
        (
            "reset_state",
            {},
            {"reset_state": "deleted"},
            "Invalid input for field/attribute state. Value must be one of 'active', 'error'.",
        ),
        ("migrate", {}, {"target_host": "nowhere"}, "Compute host nowhere could not be found."),
        ("migrate", {}, {"target_host": "host1"}, "The target host can't be the same one."),
        ("live_migrate", {}, {"target_host": "nowhere"}, "Compute host nowhere could not be found."),
        ("evacuate", {}, {}, "Compute service of host1 is still in use."),
        ("evacuate", {}, {"target_host": "nowhere"}, "Compute host nowhere could not be found."),
        (
            "unshelve",
            {"vm_state": "shelved"},
            {"target_host": "host2"},
            f"Specifying an availability zone or a host when unshelving server {uuid} with status SHELVED "
            "is not supported. The server status must be SHELVED_OFFLOADED.",
        ),
        ("shelve", {"vm_state": "error"}, {}, f"Cannot 'shelve' instance {uuid} while it is in vm_state error"),
        ("delete", {"deleted": True}, {}, f"Instance {uuid} could not be found."),
        ("start", {"launched_at": None, **STOPPED}, {}, f"Instance {uuid} is in an invalid state for 'start'"),
    ]


REFUSAL_IDS = [
    "start-active",
    "stop-busy",
    "resume-active",
    "soft-reboot-stopped",
    "lock-long-reason",
    "reset-to-deleted",
    "migrate-unknown-host",
    "migrate-same-host",
    "live-migrate-unknown-host",
    "evacuate-host-up",
    "evacuate-unknown-host",
    "unshelve-to-host-not-offloaded",
    "shelve-error",
    "delete-deleted",
    "start-never-launched",
]


@pytest.mark.parametrize("case", range(len(REFUSAL_IDS)), ids=REFUSAL_IDS)
def test_a_refusal_is_the_apis_message_and_changes_nothing(staff, server, case):
    action, state, params, message = refusals(server)[case]
    if action == "evacuate" and params:
        host_down("host1")
    set_state(server, **state)
    before = table(Server, InstanceAction, Migration, Image)
    response = press(staff, server, action, **params)
    assert response.status_code == 302
    assert response["Location"] == url(Server, "change", server.pk)
    assert messages_of(response) == [message]
    assert table(Server, InstanceAction, Migration, Image) == before
    assert not LogEntry.objects.exists()


def test_the_refusal_is_shown_on_the_page(staff, server):
    response = press(staff, server, "start")
    page = staff.get(response["Location"]).content.decode()
    assert f"Cannot &#x27;start&#x27; instance {server.uuid} while it is in vm_state active" in page
    assert 'class="error"' in page


def test_an_unknown_action_is_refused(staff, server):
    before = table(Server, InstanceAction)
    assert messages_of(press(staff, server, "explode")) == ["There is no such action: explode"]
    assert table(Server, InstanceAction) == before


def test_a_read_only_operator_cannot_act(client, server):
    viewer = AuthUser.objects.create_user("viewer", "v@example.com", "secret", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_server"))
    client.force_login(viewer)
    page = client.get(url(Server, "change", server.pk))
    assert page.status_code == 200 and b'server-status">ACTIVE<' in page.content
    assert b'name="_server_action"' not in page.content
    assert client.get(url(Server, "changelist")).context["action_form"] is None
    assert press(client, server, "stop").status_code == 403
    server.refresh_from_db()
    assert server.task_state is None


# --- bulk actions -------------------------------------------------------------------------


def second_server() -> Server:
    server = Server.objects.get(name="vm2")
    set_state(server, launched_at=timezone.now())
    return server


def test_bulk_stop_acts_on_some_and_names_the_refused(staff, server, django_capture_on_commit_callbacks):
    stopped = second_server()
    set_state(stopped, **STOPPED)
    before = table(Server)[0][1]
    with django_capture_on_commit_callbacks(execute=False) as workflows:
        response = bulk(staff, "stop", server, stopped)
    assert response.status_code == 302
    texts = messages_of(response)
    assert f"{stopped}: Cannot 'stop' instance {stopped.uuid} while it is in vm_state stopped" in texts
    assert f"Stop requested for {server.name}" in texts
    server.refresh_from_db()
    assert server.task_state == "powering-off"
    assert table(Server)[0][1] == before  # vm2, untouched
    assert len(workflows) == 1


def test_bulk_lock_asks_for_the_reason_first(staff, server):
    other = second_server()
    before = table(Server)
    page = bulk(staff, "lock", server, other)
    assert page.status_code == 200
    assert b'name="lock_reason"' in page.content and str(other.uuid).encode() in page.content
    assert table(Server) == before
    response = bulk(staff, "lock", server, other, post="yes", lock_reason="maintenance")
    assert messages_of(response) == [f"Lock set for {other.name}, {server.name}"]  # the changelist's order
    assert set(Server.objects.filter(locked=True).values_list("locked_reason", flat=True)) == {"maintenance"}


def test_bulk_reboot_takes_its_type(staff, server, django_capture_on_commit_callbacks):
    page = bulk(staff, "reboot", server)
    assert b'name="reboot_type"' in page.content
    with django_capture_on_commit_callbacks(execute=False):
        bulk(staff, "reboot", server, post="yes", reboot_type="HARD")
    server.refresh_from_db()
    assert server.task_state == "rebooting_hard"


def test_bulk_reboot_refuses_a_bad_type_in_the_apis_words(staff, server):
    response = bulk(staff, "reboot", server, post="yes", reboot_type="GENTLE")
    assert messages_of(response) == [
        f"{server}: Argument 'type' for reboot must be a string with value 'SOFT' or 'HARD'."
    ]


def test_bulk_reset_state_and_migrate_to_a_host(staff, server, django_capture_on_commit_callbacks):
    other = second_server()
    bulk(staff, "reset_state", other, post="yes", reset_state="error")
    other.refresh_from_db()
    assert other.vm_state == "error"
    assert b'list="compute-hosts"' in bulk(staff, "migrate", server).content
    with django_capture_on_commit_callbacks(execute=False):
        response = bulk(staff, "migrate", server, other, post="yes", target_host="host2")
    # vm2 lives on host2: Nova refuses a move to the host a server is on.
    assert f"{other}: The target host can't be the same one." in messages_of(response)
    assert Migration.objects.get(server=server, migration_type="migration").dest_host == "host2"


def test_bulk_delete_confirms_then_deletes(staff, server, django_capture_on_commit_callbacks):
    other = second_server()
    set_state(other, deleted=True)
    page = bulk(staff, "delete", server, other)
    assert page.status_code == 200 and b'value="yes"' in page.content
    server.refresh_from_db()
    assert server.task_state is None
    with django_capture_on_commit_callbacks(execute=False) as workflows:
        response = bulk(staff, "delete", server, other, post="yes")
    assert messages_of(response) == [
        f"{other}: Instance {other.uuid} could not be found.",
        f"Delete requested for {server.name}",
    ]
    server.refresh_from_db()
    assert server.task_state == "deleting" and len(workflows) == 1


def test_the_changelist_offers_every_action(staff, server):
    choices = {name for name, _ in staff.get(url(Server, "changelist")).context["action_form"].fields["action"].choices}
    assert choices >= {
        "start",
        "stop",
        "reboot",
        "lock",
        "unlock",
        "pause",
        "unpause",
        "suspend",
        "resume",
        "migrate",
        "live_migrate",
        "evacuate",
        "reset_state",
        "shelve",
        "unshelve",
        "delete",
    }


def test_the_page_offers_every_button(staff, server):
    content = staff.get(url(Server, "change", server.pk)).content.decode()
    for action in (
        "start",
        "stop",
        "reboot_soft",
        "reboot_hard",
        "lock",
        "unlock",
        "pause",
        "unpause",
        "suspend",
        "resume",
        "migrate",
        "live_migrate",
        "evacuate",
        "reset_state",
        "shelve",
        "unshelve",
        "delete",
    ):
        assert f'<button type="submit" name="_server_action" value="{action}"' in content, action
    for control in ('<input type="text" name="lock_reason"', 'name="target_host"', '<select name="reset_state"'):
        assert control in content, control
    assert 'name="csrfmiddlewaretoken"' in content.split('id="server-actions"')[1].split("</form>")[0]
