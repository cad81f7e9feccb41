"""Ports the user passes to Nova are kept (only unbound) when Nova lets go of them; ports
Nova made are deleted (Nova's preserve_on_delete): through the compute API, with the
conductor's continuations run as the workers would run them."""

from __future__ import annotations

import pytest

from networks import ipam
from networks.models import Network, Port
from servers.models import Server
from workers.conductor import attachments, delete

from .servers_helpers import demo_server

pytestmark = pytest.mark.django_db
V21 = "/compute/v2.1"
OK = {"ok": True, "host": "c1"}


def new_port(api, name: str = "mine") -> str:
    provider = Network.objects.get(name="provider")
    response = api.post("/network/v2.0/ports", {"port": {"network_id": str(provider.id), "name": name}}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["port"]["id"]


def attach(api, server: Server, body: dict, capture) -> str:
    with capture(execute=False):
        response = api.post(f"{V21}/servers/{server.uuid}/os-interface", {"interfaceAttachment": body}, format="json")
    assert response.status_code == 200, response.content
    port_id = response.json()["interfaceAttachment"]["port_id"]
    attachments.interface_attached(OK, str(server.uuid), "req-attach", port_id, "port_id" in body)
    return port_id


def detach(api, server: Server, port_id: str, capture) -> None:
    with capture(execute=False):
        assert api.delete(f"{V21}/servers/{server.uuid}/os-interface/{port_id}").status_code == 202
    attachments.interface_detached(OK, str(server.uuid), "req-detach", port_id)


def test_a_port_the_user_attached_is_kept_unbound_on_detach(demo_api, django_capture_on_commit_callbacks):
    server = demo_server()
    port_id = new_port(demo_api)
    assert attach(demo_api, server, {"port_id": port_id}, django_capture_on_commit_callbacks) == port_id
    assert (Port.objects.get(id=port_id).device_id, Port.objects.get(id=port_id).status) == (str(server.uuid), "ACTIVE")
    detach(demo_api, server, port_id, django_capture_on_commit_callbacks)
    port = demo_api.get(f"/network/v2.0/ports/{port_id}").json()["port"]
    assert (port["device_id"], port["device_owner"], port["status"]) == ("", "", "DOWN")
    assert demo_api.get(f"{V21}/servers/{server.uuid}/os-interface").json()["interfaceAttachments"] == []


def test_a_port_nova_made_on_attach_is_deleted_on_detach(demo_api, django_capture_on_commit_callbacks):
    server = demo_server()
    provider = Network.objects.get(name="provider")
    port_id = attach(demo_api, server, {"net_id": str(provider.id)}, django_capture_on_commit_callbacks)
    detach(demo_api, server, port_id, django_capture_on_commit_callbacks)
    assert not Port.objects.filter(id=port_id).exists()


def test_a_user_port_attached_later_survives_the_server_delete(demo_api, django_capture_on_commit_callbacks):
    server = demo_server()
    provider = Network.objects.get(name="provider")
    made = attach(demo_api, server, {"net_id": str(provider.id)}, django_capture_on_commit_callbacks)
    passed = attach(demo_api, server, {"port_id": new_port(demo_api)}, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):
        assert demo_api.delete(f"{V21}/servers/{server.uuid}").status_code == 204
    delete.finish_delete(Server.objects.get(pk=server.pk))
    assert not Port.objects.filter(id=made).exists()
    kept = Port.objects.get(id=passed)
    assert (kept.device_id, kept.device_owner, kept.status) == ("", "", "DOWN")


def test_a_port_passed_at_create_survives_the_server_delete(demo_api, django_capture_on_commit_callbacks):
    port_id = new_port(demo_api)
    provider = Network.objects.get(name="provider")
    body = {
        "name": "vm",
        "imageRef": "7f3a1c64-2b5e-4d8a-9c1f-0e6b5a4d3c21",
        "flavorRef": "42",
        "networks": [{"port": port_id}, {"uuid": str(provider.id)}],
    }
    with django_capture_on_commit_callbacks(execute=False):
        created = demo_api.post(f"{V21}/servers", {"server": body}, format="json")
    assert created.status_code == 202, created.content
    server = Server.objects.get(uuid=created.json()["server"]["id"])
    ports = ipam.bind_ports_for_server(str(server.uuid), server.project_id, server.requested_networks)
    made = next(port.id for port in ports if str(port.id) != port_id)
    Server.objects.filter(pk=server.pk).update(vm_state="active", host="c1", node="c1")
    with django_capture_on_commit_callbacks(execute=False):
        assert demo_api.delete(f"{V21}/servers/{server.uuid}").status_code == 204
    delete.finish_delete(Server.objects.get(pk=server.pk))
    assert not Port.objects.filter(id=made).exists()
    kept = Port.objects.get(id=port_id)
    assert (kept.device_id, kept.device_owner, kept.status) == ("", "", "DOWN")
