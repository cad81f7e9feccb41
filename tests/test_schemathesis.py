"""Hostile input against the API description: schemathesis generates requests from
/api/schema/ (valid ones and, in its negative mode, invalid ones) for every operation of the
five services and checks each answer: no 5xx, a documented status code and content type, and a
body that matches the documented schema.

The requests go through the production WSGI application in this process, as the seeded admin
and (with fewer examples) as the demo project's member, against the demo cloud (plus a
server, a volume and its snapshot, a port, a keypair, a server group, L3 resources) seeded
into the test database. Path parameters are half the time the real ids of those resources
and half the time schemathesis's own, so both the 404s and the code behind them are
exercised. Every case runs in a savepoint that is rolled back, so a DELETE of the demo server
or a PUT on a quota never changes what a later case sees; nothing is committed, so no Celery
message is published (an action's answer is its 202). Deterministic: a fixed seed and no
example database. The number of cases run is printed at the end.

Responses are described at the newest microversion, so every compute and volume call sends
the newest microversion unless the case carries a malformed one (then the documented 400 is
the answer checked)."""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from hypothesis import strategies as st
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from hosts.heartbeats import record_heartbeat
from hosts.models import Aggregate, Service
from identity.models import Project, Role, User
from networks.models import Network
from novasite.demo import CIRROS_IMAGE_ID
from novasite.demo_l3 import seed_l3
from tests.conftest import issue_token
from tests.hosts_helpers import report
from tests.servers_helpers import demo_server

#: Examples per operation in the fuzzing phase (the examples phase adds the documented ones),
#: as the admin and as the demo project's member.
MAX_EXAMPLES = 12
MEMBER_EXAMPLES = 4
#: The operations that may put a question to the server's compute host (diagnostics; the
#: os-getConsoleOutput action).
ASKS_A_HOST = {"GET /compute/v2.1/servers/{server_id}/diagnostics", "POST /compute/v2.1/servers/{server_id}/action"}


def config(examples: int) -> schemathesis.Config:
    """Positive and negative cases from the fuzzing and examples phases, deterministic."""
    return schemathesis.Config.from_dict(
        {
            "seed": 17,
            "generation": {
                "max-examples": int(os.environ.get("HOSTILE_EXAMPLES", examples)),
                "deterministic": True,
                "database": "none",
                "mode": "all",
            },
            "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        }
    )


# One test item runs every operation: the suite's 300 s guard against a hang is too short
# for it on a loaded machine (it needs about 100 s of CPU).
pytestmark = pytest.mark.timeout(1200)
# Glance's JSON patch is JSON on the wire.
schemathesis.serializer.alias("application/openstack-images-v2.1-json-patch", "application/json")

_VERSION_WORD = re.compile(r"^\s*[a-z]+\s+(latest|\d+\.\d+)\s*$", re.IGNORECASE)
_LEGACY_VERSION = re.compile(r"^\s*(latest|\d+\.\d+)\s*$", re.IGNORECASE)
CASES: Counter[tuple[str, str]] = Counter()  # (who, operation): cases run


def _api(client: APIClient, method: str, url: str, body: dict[str, Any], **headers: str) -> dict[str, Any]:
    response = getattr(client, method)(url, body, format="json", **headers)
    assert response.status_code < 300, (url, response.status_code, response.content)
    return response.json()


@pytest.fixture
def admin_token(cloud) -> str:
    return issue_token(APIClient(), "admin", "admin")


@pytest.fixture
def member_token(admin_token) -> str:
    return issue_token(APIClient(), "demo", "demo")


@pytest.fixture
def real_ids(admin_token) -> dict[str, dict[str, str]]:
    """The ids of real resources, by path prefix ("" for any path) and path parameter name
    (a name that means different things under different prefixes is given under each)."""
    seed_l3()
    admin = APIClient()
    admin.credentials(HTTP_X_AUTH_TOKEN=admin_token)
    project = Project.objects.get(name="admin")
    server = demo_server(
        project_id=project.id, user_id=User.objects.get(name="admin").id, host="compute1", node="compute1"
    )
    volume = _api(admin, "post", f"/volume/v3/{project.id}/volumes", {"volume": {"size": 1}})["volume"]
    snapshot = _api(admin, "post", f"/volume/v3/{project.id}/snapshots", {"snapshot": {"volume_id": volume["id"]}})[
        "snapshot"
    ]
    network = Network.objects.get(name="provider")
    port = _api(admin, "post", "/network/v2.0/ports", {"port": {"network_id": str(network.id)}})["port"]
    newest = {"HTTP_OPENSTACK_API_VERSION": "compute latest"}
    _api(admin, "put", f"/compute/v2.1/servers/{server.uuid}/metadata/role", {"meta": {"role": "web"}}, **newest)
    admin.put(f"/compute/v2.1/servers/{server.uuid}/tags/t1", HTTP_OPENSTACK_API_VERSION="compute latest")
    generated = {"HTTP_OPENSTACK_API_VERSION": "compute 2.91"}  # the last one that generates a key
    keypair = _api(admin, "post", "/compute/v2.1/os-keypairs", {"keypair": {"name": "k1"}}, **generated)["keypair"]
    group = _api(
        admin, "post", "/compute/v2.1/os-server-groups", {"server_group": {"name": "g", "policy": "affinity"}}, **newest
    )["server_group"]
    security_group = _api(admin, "post", "/network/v2.0/security-groups", {"security_group": {"name": "sg"}})
    router = admin.get("/network/v2.0/routers").json()["routers"][0]
    subnet = admin.get("/network/v2.0/subnets").json()["subnets"][0]
    node = report("compute1")
    report("compute2")
    record_heartbeat("ctl1", "nova-conductor")
    service = Service.objects.get(host="compute1")
    anywhere = {
        "server_id": str(server.uuid),
        "project_id": str(project.id),
        "user_id": str(User.objects.get(name="admin").id),
        "role_id": str(Role.objects.get(name="admin").id),
        "domain_id": "default",
        "image_id": str(CIRROS_IMAGE_ID),
        "flavor_id": "1",
        "volume_id": volume["id"],
        "snapshot_id": snapshot["id"],
        "network_id": str(network.id),
        "port_id": port["id"],
        "subnet_id": subnet["id"],
        "router_id": router["id"],
        "name": keypair["name"],
        "group_id": security_group["security_group"]["id"],
        "rule_id": security_group["security_group"]["security_group_rules"][0]["id"],
        "aggregate_id": str(Aggregate.objects.get(name="nova").id),
        "hypervisor_id": str(node.uuid),
        "service_id": str(service.uuid),
        "tag": "t1",
        "host": "compute1",
        "class_name": "default",
        "key": "role",
    }
    return {"/compute/v2.1/os-server-groups/": {"group_id": group["id"]}, "": anywhere}


@pytest.fixture
def wsgi(real_ids, member_token, settings) -> Iterator[WSGIHandler]:
    """Django's WSGI handler, with the connection kept open between requests (the test's
    transaction), as Django's test client keeps it."""
    settings.COMPUTE_CALL_TIMEOUT = 0.2
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def load_schema(wsgi: WSGIHandler, real_ids: dict[str, dict[str, str]], examples: int) -> Any:
    """The schema, loaded from the application, with path parameters half the time real ids."""
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi, config=config(examples))

    @schema.hook
    def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
        if not path_parameters:
            return st.just(path_parameters)
        path = context.operation.path
        # The longest prefix's ids first, then the ones for any path.
        known: dict[str, str] = {}
        for prefix in sorted(real_ids, key=len):
            if path.startswith(prefix):
                known.update(real_ids[prefix])
        real = {name: known.get(name, value) for name, value in path_parameters.items()}
        return st.sampled_from([real, path_parameters])

    return schema


@pytest.fixture
def admin_schema(wsgi, real_ids) -> Any:
    return load_schema(wsgi, real_ids, MAX_EXAMPLES)


@pytest.fixture
def member_schema(wsgi, real_ids) -> Any:
    return load_schema(wsgi, real_ids, MEMBER_EXAMPLES)


def newest_unless_hostile(service: str, headers: dict[str, Any] | None) -> dict[str, Any]:
    """The case's headers with the newest microversion of ``service`` (the responses are
    described at the newest), unless the case names ``service`` with a malformed version,
    which the API must refuse (a value naming no service is ignored by the API, as Nova's)."""
    out = dict(headers or {})
    if service not in ("compute", "volume"):
        return out
    value = str(out.get("OpenStack-API-Version", ""))
    words = value.split()
    hostile = len(words) >= 1 and words[0].lower() == service and not _VERSION_WORD.match(value)
    if not hostile:
        out["OpenStack-API-Version"] = f"{service} latest"
    legacy = out.get("X-OpenStack-Nova-API-Version")
    if legacy is not None and _LEGACY_VERSION.match(str(legacy)):
        out["X-OpenStack-Nova-API-Version"] = django_settings.COMPUTE_MAX_MICROVERSION
    return out


def not_a_server_error_but_an_absent_host(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis's not_a_server_error, except the documented 503 of a question put to a
    compute host: no compute worker runs here, so the host never answers (the end-to-end tests,
    tests/e2e/test_host_queries.py, check the answers with workers)."""
    if response.status_code == 503 and f"{case.method} {case.operation.path}" in ASKS_A_HOST:
        return None
    return not_a_server_error(ctx, response, case)


def call_and_check(case: Any, who: str, token: str) -> None:
    """One case, in a savepoint rolled back after it, and the four checks of its answer."""
    case.headers = newest_unless_hostile(case.operation.path.split("/")[1], case.headers)
    with transaction.atomic():
        response = case.call(headers={"X-Auth-Token": token})
        transaction.set_rollback(True)
    CASES[who, f"{case.method} {case.operation.path}"] += 1
    case.validate_response(
        response,
        checks=[
            not_a_server_error_but_an_absent_host,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )


@schemathesis.pytest.from_fixture("admin_schema").parametrize()
def test_every_operation_answers_the_admin_as_documented(case, admin_token):
    call_and_check(case, "admin", admin_token)


@schemathesis.pytest.from_fixture("member_schema").parametrize()
def test_every_operation_answers_a_member_as_documented(case, member_token):
    """The demo project's member: the admin's resources and other projects are refused."""
    call_and_check(case, "member", member_token)


@pytest.fixture(scope="module", autouse=True)
def report_case_count(request) -> Iterator[None]:
    """Print how many cases ran (the figure the issue asks for) once the module is done."""
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None and CASES:
        with capture.global_and_fixture_disabled():
            for who in ("admin", "member"):
                runs = {operation: count for (caller, operation), count in CASES.items() if caller == who}
                if runs:
                    reporter.write_line(
                        f"\nschemathesis, {who}: {sum(runs.values())} cases over {len(runs)} operations"
                    )
