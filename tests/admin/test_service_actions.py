"""The os-services actions on the Service list: enable, disable with a reason (asked on an
intermediate page), force down and force up, each through hosts.services.service_records
(PUT /os-services), each refused in Nova's words where the API refuses it."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import CHANGE, LogEntry

from hosts.models import Service
from servers.models import Migration, Server

from .pages import messages_of, table, url

pytestmark = pytest.mark.django_db


def act(client, action: str, *services: Service, **extra: str):
    """Run a changelist action on ``services`` as the action menu does."""
    data = {"action": action, "_selected_action": [service.pk for service in services], "index": "0", **extra}
    return client.post(url(Service, "changelist"), data)


def confirm_disable(client, *services: Service, reason: str):
    """Submit the intermediate page of "disable" (it posts without the menu's index)."""
    data = {"action": "disable_services", "_selected_action": [s.pk for s in services], "apply": "1", "reason": reason}
    return client.post(url(Service, "changelist"), data)


@pytest.fixture
def computes(rows) -> list[Service]:
    second = Service.objects.create(host="host2", binary="nova-compute")
    return [rows[Service], second]


def test_the_list_offers_the_actions(staff, computes):
    actions = dict(staff.get(url(Service, "changelist")).context["action_form"].fields["action"].choices)
    for action in ("enable_services", "disable_services", "force_down_services", "force_up_services"):
        assert action in actions


def test_disable_asks_for_a_reason_first(staff, computes):
    response = act(staff, "disable_services", *computes)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="reason"' in content and "nova-compute on host1" in content and "nova-compute on host2" in content
    assert not Service.objects.filter(disabled=True).exists()  # nothing written yet

    response = confirm_disable(staff, *computes, reason="rack 4 maintenance")
    assert response.status_code == 302
    assert "Disabled 2 services." in messages_of(response)
    assert set(Service.objects.filter(binary="nova-compute").values_list("disabled", "disabled_reason")) == {
        (True, "rack 4 maintenance")
    }
    assert LogEntry.objects.filter(action_flag=CHANGE, object_id=str(computes[0].pk)).exists()


def test_disable_without_a_reason(staff, computes):
    assert confirm_disable(staff, computes[0], reason="").status_code == 302
    computes[0].refresh_from_db()
    assert (computes[0].disabled, computes[0].disabled_reason) == (True, None)


def test_enable_clears_the_reason(staff, computes):
    Service.objects.update(disabled=True, disabled_reason="old")
    response = act(staff, "enable_services", computes[0])
    assert "Enabled 1 service." in messages_of(response)
    computes[0].refresh_from_db()
    assert (computes[0].disabled, computes[0].disabled_reason) == (False, None)


def test_force_down_and_up(staff, computes):
    assert "Forced down 2 services." in messages_of(act(staff, "force_down_services", *computes))
    assert set(Service.objects.filter(binary="nova-compute").values_list("forced_down", flat=True)) == {True}
    assert "Forced up 1 service." in messages_of(act(staff, "force_up_services", computes[1]))
    assert list(Service.objects.filter(forced_down=True).values_list("host", flat=True)) == ["host1"]


def test_a_control_service_is_refused_the_others_changed(staff, computes):
    conductor = Service.objects.get(binary="nova-conductor")
    response = act(staff, "force_down_services", conductor, computes[0])
    texts = messages_of(response)
    assert (
        "nova-conductor on controller1: Updating a nova-conductor service is not supported. "
        "Only nova-compute services can be updated."
    ) in texts
    assert "Forced down 1 service." in texts
    assert list(Service.objects.filter(forced_down=True).values_list("host", flat=True)) == ["host1"]


def test_force_up_refused_while_evacuations_are_done(staff, computes):
    Service.objects.filter(pk=computes[0].pk).update(forced_down=True)
    Migration.objects.create(
        server=Server.objects.get(), migration_type="evacuation", source_compute="host1", status="done"
    )
    before = table(Service)
    texts = messages_of(act(staff, "force_up_services", computes[0]))
    assert any(
        text.startswith("nova-compute on host1: Unable to force up host host1: evacuations from it are still done")
        for text in texts
    ), texts
    assert not any(text.startswith("Forced up") for text in texts)
    assert table(Service) == before


def test_a_reason_too_long_is_refused_in_novas_words(staff, computes):
    before = table(Service)
    texts = messages_of(confirm_disable(staff, computes[0], reason="x" * 256))
    assert any("Invalid input for field/attribute disabled_reason." in text for text in texts), texts
    assert table(Service) == before


def test_the_change_form_still_works(staff, computes):
    from .pages import post_form, saved

    saved(post_form(staff, url(Service, "change", computes[0].pk), disabled="on", disabled_reason="via the form"))
    computes[0].refresh_from_db()
    assert (computes[0].disabled, computes[0].disabled_reason) == (True, "via the form")
