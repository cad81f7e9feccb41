"""Remote consoles at the API without workers (Nova's remote_consoles and
console_auth_tokens): the request schemas by microversion, the console types this cloud
serves, the state rules, and the console tokens (hash only, expiry, a deleted or moved
server). A console of a live guest through the proxy: tests/browser/test_vnc_console.py."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone

from consoles import tokens
from consoles.models import ConsoleAuthToken
from servers.models import Server

from .servers_helpers import demo_server

pytestmark = pytest.mark.django_db

V26 = {"HTTP_OPENSTACK_API_VERSION": "compute 2.6"}
V28 = {"HTTP_OPENSTACK_API_VERSION": "compute 2.8"}
V231 = {"HTTP_OPENSTACK_API_VERSION": "compute 2.31"}


@pytest.fixture
def server(demo_api):
    return demo_server(host="c-gone", node=None)  # no heartbeat: down


def remote(api, server, protocol="vnc", kind="novnc", headers=V26, **extra):
    body = {"remote_console": {"protocol": protocol, "type": kind, **extra}}
    return api.post(f"/compute/v2.1/servers/{server.uuid}/remote-consoles", body, format="json", **headers)


def action(api, server, name, body, headers=None):
    return api.post(f"/compute/v2.1/servers/{server.uuid}/action", {name: body}, format="json", **(headers or {}))


def message(response) -> str:
    return next(iter(response.json().values()))["message"]


def new_token(server, **fields) -> str:
    url = tokens.authorize(
        instance_uuid=str(server.uuid),
        compute_host=server.host,
        console_type="novnc",
        host="127.0.0.1",
        port=5901,
        access_url_base="http://127.0.0.1:6080/vnc_lite.html",
        **fields,
    )
    return parse_qs(parse_qs(urlparse(url).query)["path"][0].lstrip("?"))["token"][0]


def test_remote_consoles_exist_from_2_6(demo_api, server):
    assert remote(demo_api, server, headers={}).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"protocol": "telnet", "type": "novnc"},
        {"protocol": "vnc", "type": "vnc"},
        {"protocol": "vnc"},
        {"protocol": "vnc", "type": "novnc", "password": "x"},
        {"protocol": "mks", "type": "webmks"},  # mks from 2.8
    ],
)
def test_a_body_outside_novas_schema_is_400(demo_api, server, body):
    response = demo_api.post(
        f"/compute/v2.1/servers/{server.uuid}/remote-consoles", {"remote_console": body}, format="json", **V26
    )
    assert response.status_code == 400, response.content


def test_console_types_this_cloud_does_not_serve(demo_api, server):
    Server.objects.filter(pk=server.pk).update(host="c1")
    assert message(remote(demo_api, server, "rdp", "rdp-html5")) == "Unavailable console type rdp."
    assert message(remote(demo_api, server, "spice", "spice-html5")) == "Unavailable console type spice-html5."
    assert message(remote(demo_api, server, "serial", "serial")) == "Unavailable console type serial."
    invalid = remote(demo_api, server, "vnc", "spice-html5")
    assert invalid.status_code == 400 and message(invalid) == "Invalid console type spice-html5"
    assert message(remote(demo_api, server, "mks", "webmks", headers=V28)) == "Unavailable console type webmks."


def test_a_server_without_a_host_or_going_away_is_409(demo_api, server):
    Server.objects.filter(pk=server.pk).update(host=None)
    response = remote(demo_api, server)
    assert response.status_code == 409 and message(response) == f"Instance {server.uuid} is not ready"
    for task_state in ("migrating", "deleting"):
        Server.objects.filter(pk=server.pk).update(host="c-gone", task_state=task_state)
        response = remote(demo_api, server)
        assert response.status_code == 409
        assert (
            message(response)
            == f"Cannot 'get_vnc_console' instance {server.uuid} while it is in task_state {task_state}"
        )


def test_a_down_host_is_503_and_nothing_is_stored(demo_api, server):
    response = remote(demo_api, server)
    assert response.status_code == 503
    assert not ConsoleAuthToken.objects.exists()


def test_another_projects_server_is_404(admin_api, demo_api):
    theirs = demo_server(project_id="someone-else", host="c-gone")
    assert remote(demo_api, theirs).status_code == 404


def test_the_legacy_actions_before_2_6(demo_api, server):
    Server.objects.filter(pk=server.pk).update(host=None)
    assert action(demo_api, server, "os-getVNCConsole", {"type": "novnc"}).status_code == 409
    assert action(demo_api, server, "os-getVNCConsole", {"type": "serial"}).status_code == 400
    assert action(demo_api, server, "os-getVNCConsole", {}).status_code == 400
    assert action(demo_api, server, "os-getSerialConsole", {"type": "novnc"}).status_code == 400
    Server.objects.filter(pk=server.pk).update(host="c1")
    serial = action(demo_api, server, "os-getSerialConsole", {"type": "serial"})
    assert serial.status_code == 400 and message(serial) == "Unavailable console type serial."
    assert action(demo_api, server, "os-getSPICEConsole", {"type": "spice-html5"}).status_code == 400
    assert action(demo_api, server, "os-getRDPConsole", {"type": "rdp-html5"}).status_code == 400
    # from 2.6 the actions are gone (remote-consoles replaces them)
    assert action(demo_api, server, "os-getVNCConsole", {"type": "novnc"}, V26).status_code == 404


def test_a_console_url_is_novas_and_only_the_tokens_hash_is_kept(demo_api, settings):
    server = demo_server()
    settings.CONSOLE_TOKEN_TTL = 600
    before = timezone.now()
    url = tokens.authorize(
        instance_uuid=str(server.uuid),
        compute_host="c1",
        console_type="novnc",
        host="127.0.0.1",
        port=5900,
        access_url_base="http://127.0.0.1:6080/vnc_lite.html",
    )
    assert url.startswith("http://127.0.0.1:6080/vnc_lite.html?path=%3Ftoken%3D")
    token = url.rsplit("%3D", 1)[1]
    row = ConsoleAuthToken.objects.get()
    assert token not in str(list(ConsoleAuthToken.objects.values_list()))
    assert row.token_hash == tokens.token_hash(token) and len(row.token_hash) == 64
    assert timedelta(seconds=599) <= row.expires - before <= timedelta(seconds=601)
    # a base that already has a path parameter keeps it, the token appended inside
    assert tokens.access_url("http://h/vnc.html?path=websockify", "novnc", "t") == (
        "http://h/vnc.html?path=websockify%3Ftoken%3Dt"
    )
    assert tokens.access_url("ws://h:6083/", "serial", "t") == "ws://h:6083/?token=t"


def test_admins_see_where_a_token_connects(admin_api, demo_api):
    server = demo_server()
    token = new_token(server)
    shown = admin_api.get(f"/compute/v2.1/os-console-auth-tokens/{token}", **V231)
    assert shown.status_code == 200
    assert shown.json() == {
        "console": {"instance_uuid": str(server.uuid), "host": "127.0.0.1", "port": 5901, "internal_access_path": None}
    }
    # a token may be used again until it expires, as Nova's
    assert admin_api.get(f"/compute/v2.1/os-console-auth-tokens/{token}", **V231).status_code == 200
    assert demo_api.get(f"/compute/v2.1/os-console-auth-tokens/{token}", **V231).status_code == 403
    assert admin_api.get(f"/compute/v2.1/os-console-auth-tokens/{token}").status_code == 400  # before 2.31
    unknown = admin_api.get("/compute/v2.1/os-console-auth-tokens/nope", **V231)
    assert unknown.status_code == 404 and message(unknown) == "Token not found"


def test_an_expired_token_is_not_found_and_deleted(admin_api):
    server = demo_server()
    token = new_token(server)
    ConsoleAuthToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    assert admin_api.get(f"/compute/v2.1/os-console-auth-tokens/{token}", **V231).status_code == 404
    assert not ConsoleAuthToken.objects.exists()


def test_a_token_dies_with_its_server_or_when_the_server_moves(admin_api):
    moved, deleted = demo_server(), demo_server()
    moved_token, deleted_token = new_token(moved), new_token(deleted)
    Server.objects.filter(pk=moved.pk).update(host="c2")
    Server.objects.filter(pk=deleted.pk).update(deleted=True, deleted_at=timezone.now())
    for token in (moved_token, deleted_token):
        assert admin_api.get(f"/compute/v2.1/os-console-auth-tokens/{token}", **V231).status_code == 404
        assert tokens.validate(token) is None


def test_purging_removes_expired_and_orphaned_tokens_only(demo_api):
    live, gone = demo_server(), demo_server()
    valid = new_token(live)
    new_token(live)
    new_token(gone)
    ConsoleAuthToken.objects.exclude(token_hash=tokens.token_hash(valid)).filter(instance_uuid=live.uuid).update(
        expires=timezone.now() - timedelta(seconds=1)
    )
    Server.objects.filter(pk=gone.pk).update(deleted=True)
    assert tokens.purge_expired() == 2
    assert list(ConsoleAuthToken.objects.values_list("token_hash", flat=True)) == [tokens.token_hash(valid)]
