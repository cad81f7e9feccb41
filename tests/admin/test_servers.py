"""The servers admin: a server's state is the workflows', its name and metadata are changed
through servers.services as PUT /servers/{id} and its metadata API change them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hosts.models import Allocation
from identity.models import Project
from networks.models import Network, Port
from novasite.admin_paging import CappedCountPaginator
from novasite.flower import tasks_of_server_url
from servers.admin.server_list import age_text, servers_with_address, status_condition
from servers.models import InstanceAction, InstanceActionEvent, Migration, Server, ServerFault, VolumeAttachment
from servers.states import ALL_STATUSES, DEFAULT_KEY, STATUS_MAP, status_for
from volumes.models import Volume

from .conftest import FLAVOR
from .pages import post_form, refused, saved, table, url

pytestmark = pytest.mark.django_db


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


def test_server_changelist_shows_status(staff, rows):
    Server.objects.filter(pk=rows[Server].pk).update(task_state="rebooting")
    assert b"REBOOT" in staff.get(url(Server, "changelist")).content


def test_server_cannot_be_added_or_deleted(staff, rows):
    server = rows[Server]
    assert staff.get(url(Server, "add")).status_code == 403
    assert staff.get(url(Server, "delete", server.pk)).status_code == 403
    assert staff.post(url(Server, "delete", server.pk), {"post": "yes"}).status_code == 403
    assert Server.objects.filter(pk=server.pk).exists()


def test_server_renamed_as_put_servers_renames_it(staff, rows):
    server = rows[Server]
    page = url(Server, "change", server.pk)
    saved(post_form(staff, page, name="web-1", hostname="web-1.example.org", access_ip_v4="192.0.2.7"))
    server.refresh_from_db()
    assert (server.name, server.hostname, server.access_ip_v4) == ("web-1", "web-1.example.org", "192.0.2.7")
    assert (server.vm_state, server.host) == ("active", "host1")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"hostname": "-bad-"}, "Invalid input for field/attribute hostname."),
        ({"access_ip_v4": "2001:db8::1"}, "Invalid input for field/attribute accessIPv4."),
        ({"metadata": '{"bad key!": "x"}'}, None),
    ],
    ids=["hostname", "access-ip", "metadata-key"],
)
def test_server_change_refused_as_the_api_refuses(staff, rows, changes, message):
    server = rows[Server]
    before = table(Server)
    response = post_form(staff, url(Server, "change", server.pk), name="renamed", **changes)
    refused(
        response,
        message
        or "Invalid input for field/attribute metadata. Value: bad key!. Keys must be 1 to 255 of [a-zA-Z0-9-_:. ]",
    )
    assert table(Server) == before


def test_metadata_follows_the_state_rules(staff, rows):
    server = rows[Server]
    Server.objects.filter(pk=server.pk).update(launched_at=timezone.now())
    page = url(Server, "change", server.pk)
    saved(post_form(staff, page, metadata='{"role": "web"}'))
    server.refresh_from_db()
    assert server.metadata == {"role": "web"}
    Server.objects.filter(pk=server.pk).update(vm_state="error")
    before = table(Server)
    refused(
        post_form(staff, page, name="renamed", metadata='{"role": "db"}'),
        f"Cannot 'update metadata' instance {server.uuid} while it is in vm_state error",
    )
    assert table(Server) == before  # the rename of the same request is not kept either


def test_boot_request_is_read_only(staff, rows):
    content = staff.get(url(Server, "change", rows[Server].pk)).content
    for field in ("image_ref", "key_data", "user_data", "requested_networks", "requested_availability_zone"):
        assert f'name="{field}"'.encode() not in content, field


# --- the changelist -----------------------------------------------------------------------


def add_servers(count: int, *, start: int = 0, **columns: Any) -> list[Server]:
    """``count`` servers, each in a project of its own and with a port holding 10.9.<i>.7."""
    network = Network.objects.get_or_create(name="list-net", project_id="p")[0]
    servers = []
    for i in range(start, start + count):
        project = Project.objects.create(name=f"tenant{i}")
        server = Server.objects.create(
            name=f"list{i}",
            project_id=project.id,
            user_id="u",
            flavor=FLAVOR,
            vm_state="active",
            power_state=1,
            host=f"cn{i % 3}",
            availability_zone=f"zone{i % 2}",
            **columns,
        )
        Port.objects.create(
            network=network,
            project_id=project.id,
            mac_address=f"fa:16:3e:01:{i // 256:02x}:{i % 256:02x}",
            fixed_ips=[{"subnet_id": "s", "ip_address": f"10.9.{i}.7"}],
            device_id=str(server.uuid),
        )
        servers.append(server)
    return servers


def listed(client, **query: str) -> list[str]:
    response = client.get(url(Server, "changelist"), query)
    assert response.status_code == 200
    return sorted(server.name for server in response.context["cl"].result_list)


def test_the_list_colours_each_state(staff, rows):
    server = rows[Server]
    stopped, failed = add_servers(2)
    Server.objects.filter(pk=stopped.pk).update(vm_state="stopped", power_state=4)
    Server.objects.filter(pk=failed.pk).update(vm_state="error", power_state=6, task_state="powering-off")
    Server.objects.filter(pk=server.pk).update(task_state="rebooting")
    content = staff.get(url(Server, "changelist")).content.decode()
    for cell in (
        '<td class="field-status_column"><span class="state-badge state-busy">REBOOT</span></td>',
        '<td class="field-vm_state_column"><span class="state-badge state-ok">active</span></td>',
        '<td class="field-task_state_column"><span class="state-badge state-busy">rebooting</span></td>',
        '<td class="field-power_state_column"><span class="state-badge state-ok">RUNNING</span></td>',
        '<td class="field-status_column"><span class="state-badge state-off">SHUTOFF</span></td>',
        '<td class="field-power_state_column"><span class="state-badge state-off">SHUTDOWN</span></td>',
        '<td class="field-status_column"><span class="state-badge state-error">ERROR</span></td>',
        '<td class="field-power_state_column"><span class="state-badge state-error">CRASHED</span></td>',
    ):
        assert cell in content, cell


def test_the_list_shows_placement_flavor_project_ips_and_age(staff, rows):
    server = rows[Server]
    Server.objects.filter(pk=server.pk).update(created_at=timezone.now() - timedelta(hours=3, minutes=5))
    row = next(
        line for line in staff.get(url(Server, "changelist")).content.decode().splitlines() if ">vm1</a>" in line
    )
    for cell in (
        '<td class="field-host">host1</td>',
        '<td class="field-availability_zone">az1</td>',
        ">m1.tiny</span>",
        f'<span title="{server.project_id}">project1</span>',
        '<span class="server-ip">10.0.1.5</span>',
        ">3 h</span>",
    ):
        assert cell in row, cell


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0 s"), (59, "59 s"), (60, "1 min"), (3599, "59 min"), (7200, "2 h"), (86400 * 9, "9 d")]
)
def test_age_is_given_in_its_largest_whole_unit(seconds, text):
    now = timezone.now()
    assert age_text(now - timedelta(seconds=seconds), now) == text


def test_the_list_costs_the_same_for_2_and_20_servers(staff, db):
    add_servers(2)
    staff.get(url(Server, "changelist"))  # the session and content types, once
    with CaptureQueriesContext(connection) as few:
        assert staff.get(url(Server, "changelist")).status_code == 200
    add_servers(18, start=2)
    with CaptureQueriesContext(connection) as many:
        response = staff.get(url(Server, "changelist"))
    assert response.context["cl"].result_count == 20
    assert len(many) == len(few), [query["sql"] for query in many.captured_queries]
    assert response.content.decode().count('class="server-ip"') == 20


def test_the_count_stops_at_the_cap_and_says_so(staff, db, monkeypatch):
    """Past CappedCountPaginator.cap matching servers, the list and its search say "more
    than" the cap, and the count query reads at most cap + 1 rows; below it, exact."""
    monkeypatch.setattr(CappedCountPaginator, "cap", 5)
    add_servers(7)
    with CaptureQueriesContext(connection) as queries:
        content = staff.get(url(Server, "changelist")).content.decode()
    assert "more than 5 servers" in content
    counts = [query["sql"] for query in queries.captured_queries if "COUNT(" in query["sql"].upper()]
    assert counts and all("LIMIT 6" in sql for sql in counts), counts
    searched = staff.get(url(Server, "changelist") + "?q=list").content.decode()
    assert "more than 5 results" in searched
    exact = staff.get(url(Server, "changelist") + "?q=list3").content.decode()
    assert "1 result" in exact and "more than" not in exact


def test_status_filter_is_exact_over_the_whole_status_map(staff, db):
    """Every (vm_state, task_state) pair of servers.states' map, and an idle task_state the
    map does not override, is found under exactly the status status_for gives it."""
    pairs: list[tuple[str, str | None]] = [(vm_state, None) for vm_state in STATUS_MAP]
    pairs += [(vm_state, task) for vm_state, tasks in STATUS_MAP.items() for task in tasks if task != DEFAULT_KEY]
    pairs += [("active", "pausing"), ("stopped", "powering-on")]
    for i, (vm_state, task_state) in enumerate(pairs):
        Server.objects.create(
            name=f"s{i}", project_id="p", user_id="u", flavor=FLAVOR, vm_state=vm_state, task_state=task_state
        )
    for status in ALL_STATUSES:
        expected = sorted(f"s{i}" for i, pair in enumerate(pairs) if status_for(*pair) == status)
        assert sorted(Server.objects.filter(status_condition(status)).values_list("name", flat=True)) == expected, (
            status
        )
    assert listed(staff, status="REBOOT") == sorted(
        f"s{i}" for i, pair in enumerate(pairs) if status_for(*pair) == "REBOOT"
    )


def test_filters_by_status_host_zone_project_and_task_state(staff, db):
    servers = add_servers(4)
    Server.objects.filter(pk=servers[0].pk).update(vm_state="stopped", power_state=4)
    Server.objects.filter(pk=servers[1].pk).update(task_state="rebooting")
    assert listed(staff, status="SHUTOFF") == ["list0"]
    assert listed(staff, status="ACTIVE") == ["list2", "list3"]  # exactly ACTIVE: the rebooting one is REBOOT
    assert listed(staff, status="REBOOT") == ["list1"]
    assert listed(staff, host__exact="cn0") == ["list0", "list3"]
    assert listed(staff, availability_zone__exact="zone1") == ["list1", "list3"]
    assert listed(staff, project=servers[2].project_id) == ["list2"]
    assert listed(staff, task_state__exact="rebooting") == ["list1"]
    content = staff.get(url(Server, "changelist")).content.decode()
    assert "tenant2" in content.split('id="changelist-filter"')[1]  # the project filter names projects


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("10.9.1.7", ["list1"]),
        ("10.9.1", ["list1", "list10", "list11"]),
        ("10.9.1.", ["list1"]),
        ("10.9.70.7", []),
        ("10.9.1.70", []),
        ("list2", ["list2"]),
        ("LIST1", ["list1", "list10", "list11"]),  # the name's beginning, in any case
        ("ist1", []),  # not its middle: a prefix is what an index answers
        ("cn1", ["list1", "list10", "list4", "list7"]),  # a host, exactly
    ],
)
def test_search_finds_a_server_by_the_ip_its_port_holds(staff, db, term, found):
    add_servers(12)
    assert listed(staff, q=term) == found


def test_search_by_uuid_and_an_ipv6_address(staff, db):
    first, second = add_servers(2)
    Port.objects.filter(device_id=str(second.uuid)).update(fixed_ips=[{"subnet_id": "s", "ip_address": "2001:db8::42"}])
    assert listed(staff, q=str(first.uuid)) == ["list0"]
    assert listed(staff, q="2001:DB8:0::42") == ["list1"]
    assert servers_with_address("42") == [] and servers_with_address("vm1") == []


# --- the page -----------------------------------------------------------------------------


def test_the_page_shows_the_state_badges_and_the_flower_link(staff, rows):
    server = rows[Server]
    Server.objects.filter(pk=server.pk).update(vm_state="stopped", power_state=4, task_state="powering-on")
    content = staff.get(url(Server, "change", server.pk)).content.decode()
    assert '<span class="state-badge state-busy server-status">SHUTOFF</span>' in content
    assert content.count("server-status") == 1
    assert '<span class="state-badge state-busy">powering-on</span>' in content
    assert '<span class="state-badge state-off">stopped</span>' in content
    assert f'href="{tasks_of_server_url(str(server.uuid))}"' in content
    assert ">Tasks in Flower</a>" in content


def test_the_flower_link_follows_the_setting(staff, rows, settings):
    settings.FLOWER_URL = "https://flower.example/ops"
    content = staff.get(url(Server, "change", rows[Server].pk)).content.decode()
    assert (
        f'href="https://flower.example/ops/tasks?name={rows[Server].uuid}%20OR%20kwargs%3A{rows[Server].uuid}"'
        in content
    )


def test_the_page_shows_actions_with_events_faults_allocations_volumes_and_ports(staff, rows):
    server = rows[Server]
    action = InstanceAction.objects.create(
        server=server, action="stop", request_id="req-stop", user_id="u", project_id="p", message="Error"
    )
    InstanceActionEvent.objects.create(
        action=action,
        event="compute_stop_instance",
        result="Error",
        traceback="Traceback: libvirt said no",
        host="host1",
    )
    ServerFault.objects.create(server=server, code=500, message="libvirt said no", details="stack of frames")
    volume = Volume.objects.create(name="data", project_id="p", user_id="u", size=3, status="in-use")
    VolumeAttachment.objects.create(server=server, volume_id=volume.id, device="/dev/vdc", status="attached")
    content = staff.get(url(Server, "change", server.pk)).content.decode()
    records = content.split('class="server-records"')[1]
    actions = records.split('id="server-faults"')[0]
    assert (
        actions.index(">stop</a>")
        < actions.index("compute_stop_instance")
        < actions.index("Traceback: libvirt said no")
    )
    assert ">create</a>" in actions and "compute_build_and_run_instance" in actions
    assert '<span class="state-badge state-error">Error</span>' in actions
    faults = records.split('id="server-faults"')[1].split('id="server-allocations"')[0]
    assert "libvirt said no" in faults and "No valid host was found." in faults and "stack of frames" in faults
    allocations = records.split('id="server-allocations"')[1].split('id="server-volumes"')[0]
    assert "host1.example" in allocations and "<td>512</td>" in allocations
    volumes = records.split('id="server-volumes"')[1].split('id="server-ports"')[0]
    assert ">data</a>" in volumes and "/dev/vdc" in volumes and "<td>sdb</td>" in volumes
    ports = records.split('id="server-ports"')[1]
    assert '<span class="server-ip">10.0.1.5</span>' in ports and "net1" in ports and "fa:16:3e:00:00:01" in ports


def test_the_page_shows_what_a_move_holds(staff, rows):
    server = rows[Server]
    migration = Migration.objects.get(server=server)
    node = Allocation.objects.get(consumer=server.uuid).compute_node
    Allocation.objects.create(
        consumer=migration.uuid, compute_node=node, vcpus=2, memory_mb=2048, disk_gb=20, project_id="p", user_id="u"
    )
    allocations = (
        staff.get(url(Server, "change", server.pk))
        .content.decode()
        .split('id="server-allocations"')[1]
        .split("</table>")[0]
    )
    assert "<td>2048</td>" in allocations and f"resize {migration.uuid}" in allocations


def test_the_page_costs_the_same_for_1_and_10_actions(staff, rows):
    server = rows[Server]
    page = url(Server, "change", server.pk)
    staff.get(page)
    with CaptureQueriesContext(connection) as one:
        staff.get(page)
    for i in range(9):
        action = InstanceAction.objects.create(
            server=server, action="stop", request_id=f"r{i}", user_id="u", project_id="p"
        )
        InstanceActionEvent.objects.create(action=action, event="compute_stop_instance", result="Success")
        InstanceActionEvent.objects.create(action=action, event="conductor_finish", result="Success")
        ServerFault.objects.create(server=server, message=f"fault {i}")
    with CaptureQueriesContext(connection) as ten:
        content = staff.get(page).content.decode()
    assert content.count('class="server-event-row"') == 19
    assert len(ten) == len(one), [query["sql"] for query in ten.captured_queries]
