"""Flower tells each server's story: behind basic auth it lists the control and compute
workers (they answer its inspect broadcasts and send task events), and searching a server's
uuid finds every task of that server, each with the server's uuid and the request id in its
kwargs, and no other server's."""

from __future__ import annotations

import ast
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import requests

from novasite.flower import tasks_of_server_api_url, tasks_of_server_url
from servers.models import InstanceAction
from tests.waiting import wait_until

from .helpers import act, boot

pytestmark = pytest.mark.e2e

AUTH = ("admin", "flower-e2e")
BUILD = (
    "conductor.schedule_and_build_instances",
    "compute.build_and_run_instance",
    "conductor.build_finished",
)
STOP = ("conductor.run_operation", "compute.stop_instance", "conductor.operation_finished")
PASSWORD = "never-in-flower-7f3a"


@dataclass
class Flower:
    url: str
    session: requests.Session

    def get(self, path: str, **params: Any) -> Any:
        response = self.session.get(f"{self.url}{path}", params=params, timeout=10)
        response.raise_for_status()
        return response.json()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def flower(workers) -> Iterator[Flower]:
    """Flower on a free port, on the workers' broker, as `make run` starts it."""
    port = free_port()
    workers.start_flower(port, ":".join(AUTH))
    session = requests.Session()
    session.auth = AUTH
    flower = Flower(f"http://127.0.0.1:{port}", session)

    def up() -> bool:
        try:
            return session.get(f"{flower.url}/api/workers", params={"status": 1}, timeout=5).status_code == 200
        except requests.ConnectionError:
            return False

    wait_until(up, 30, what=lambda: f"Flower listening\n{workers.logs()}", interval=0.2)
    yield flower
    workers.kill("flower")


def test_flower_asks_for_basic_auth(flower):
    assert requests.get(f"{flower.url}/api/workers", timeout=10).status_code == 401
    anonymous = requests.get(f"{flower.url}/tasks", timeout=10)
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"] == 'Basic realm="flower"'  # the browser asks
    assert requests.get(f"{flower.url}/tasks", auth=("admin", "wrong"), timeout=10).status_code == 401
    assert flower.session.get(f"{flower.url}/tasks", timeout=10).status_code == 200


def test_flower_lists_the_control_and_compute_workers(cloud, flower):
    expected = {
        "conductor@e2e": "conductor",
        "scheduler@e2e": "scheduler",
        "compute@compute1": "compute.compute1",
        "compute@compute2": "compute.compute2",
    }

    def inspected() -> dict[str, Any]:
        # refresh: Flower broadcasts its inspect requests and lists the workers that answer.
        listed = flower.get("/api/workers", refresh=1)
        return listed if set(expected) <= set(listed) else {}

    listed = wait_until(inspected, 20, what="every worker answering Flower's inspect", interval=0.5)
    for name, queue in expected.items():
        assert [q["name"] for q in listed[name]["active_queues"]] == [queue], name
    assert "compute.build_and_run_instance" in listed["compute@compute1"]["registered"]
    assert "conductor.build_servers" in listed["conductor@e2e"]["registered"]
    # Their events (worker-online and heartbeats) tell Flower they are alive.
    alive = wait_until(
        lambda: (status := flower.get("/api/workers", status=1)) and all(status.get(name) for name in expected),
        20,
        what="every worker alive in Flower's events",
    )
    assert alive


def kwargs_of(task: dict) -> dict:
    """A task's kwargs as Flower shows them (their repr), read back."""
    value = ast.literal_eval(task["kwargs"])
    assert isinstance(value, dict), task
    return value


def request_id(server_id: str, action: str) -> str:
    return InstanceAction.objects.get(server__uuid=server_id, action=action).request_id


def test_searching_a_servers_uuid_finds_all_its_tasks(cloud, flower, demo, settings):
    settings.FLOWER_URL = flower.url
    first, other = boot(demo, "vm1", adminPass=PASSWORD), boot(demo, "vm2")
    assert demo.wait_until_settled(first)["status"] == "ACTIVE"
    assert demo.wait_until_settled(other)["status"] == "ACTIVE"
    act(demo, first, {"os-stop": None})
    assert demo.wait_until_settled(first)["status"] == "SHUTOFF"

    path = urlsplit(tasks_of_server_api_url(first))
    search = {key: values[0] for key, values in parse_qs(path.query).items()}

    def found() -> dict[str, dict]:
        tasks = flower.get(path.path, **search)
        done = {task["name"] for task in tasks.values() if task["state"] == "SUCCESS"}
        return tasks if set(BUILD + STOP) <= done else {}

    tasks = wait_until(found, 20, what=lambda: f"the tasks of {first} in Flower: {flower.get(path.path, **search)}")
    requests_of = {name: request_id(first, "create") for name in BUILD}
    requests_of.update(dict.fromkeys(STOP, request_id(first, "stop")))
    for task in tasks.values():
        kwargs = kwargs_of(task)
        assert first == kwargs.get("server_uuid") or first in kwargs.get("server_uuids", []), task
        assert other not in task["kwargs"] and other not in task["args"], task
        assert kwargs["request_id"] == requests_of.get(task["name"], kwargs["request_id"]), task
        assert list(kwargs)[:2] in (["server_uuid", "request_id"], ["server_uuids", "request_id"]), task
    assert sorted(task["name"] for task in tasks.values()) == sorted(BUILD + STOP)

    # Complete: every task of the workflows whose arguments name the server (its instance
    # payload, its request spec, the scheduler's decision) is among those found. The compute
    # hosts' reports name every guest they run: they are about hosts, not about this server.
    everything = flower.get("/api/tasks")
    naming = {
        uuid
        for uuid, task in everything.items()
        if task["name"] != "conductor.service_report" and first in f"{task['args']}{task['kwargs']}"
    }
    assert naming == set(tasks)
    # The admin password travels to the host in the messages, but the events show it masked.
    assert all(PASSWORD not in f"{task['args']}{task['kwargs']}" for task in everything.values())
    assert kwargs_of(next(t for t in tasks.values() if t["name"] == BUILD[0]))["admin_password"] == "***"


def test_the_admin_link_opens_flowers_task_list_searched_for_the_server(cloud, flower, demo, settings):
    settings.FLOWER_URL = flower.url
    server = boot(demo, "vm3")
    assert demo.wait_until_settled(server)["status"] == "ACTIVE"
    link = tasks_of_server_url(server)
    page = flower.session.get(link, timeout=10)
    assert page.status_code == 200 and 'id="tasks-table"' in page.text
    # What the page's script (flower.js) puts in the search box from the link: the raw "name"
    # parameter, decodeURIComponent'ed (unquote, not unquote_plus), after "name:".
    raw = urlsplit(link).query.removeprefix("name=")
    assert "&" not in raw and "+" not in raw
    typed = f"name:{unquote(raw)}"
    assert typed == f"name:{server} OR kwargs:{server}"

    def listed() -> list[dict]:
        table = flower.session.post(
            f"{flower.url}/tasks/datatable",
            data={
                "draw": 1,
                "start": 0,
                "length": 100,
                "search[value]": typed,
                "order[0][column]": 0,
                "order[0][dir]": "desc",
                "columns[0][data]": "received",
            },
            timeout=10,
        ).json()
        assert "searchError" not in table, table
        rows = table["data"]
        return rows if {row["name"] for row in rows} >= set(BUILD) else []

    rows = wait_until(listed, 20, what=f"the build of {server} in Flower's task list")
    assert sorted(row["name"] for row in rows) == sorted(BUILD)
    assert all(server in row["kwargs"] for row in rows)
