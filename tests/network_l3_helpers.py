"""Shared set-up of the L3 tests: an external network `public` (admin's, 172.24.4.0/24) and
the demo project's `private` network (10.0.0.0/24), as devstack makes them."""

from __future__ import annotations

from rest_framework.test import APIClient

V2 = "/network/v2.0"


def post(api: APIClient, collection: str, key: str, body: dict):
    return api.post(f"{V2}/{collection}", {key: body}, format="json")


def put(api: APIClient, path: str, body: dict):
    return api.put(f"{V2}/{path}", body, format="json")


def neutron_error(response) -> tuple[int, str]:
    return response.status_code, response.json()["NeutronError"]["type"]


def make_network(api: APIClient, name: str, cidr: str, **attributes) -> dict:
    network = post(api, "networks", "network", {"name": name, **attributes})
    assert network.status_code == 201, network.content
    subnet = post(api, "subnets", "subnet", {"network_id": network.json()["network"]["id"], "cidr": cidr})
    assert subnet.status_code == 201, subnet.content
    return {**network.json()["network"], "subnet": subnet.json()["subnet"]}


def public(admin_api: APIClient) -> dict:
    return make_network(admin_api, "public", "172.24.4.0/24", **{"router:external": True})


def private(demo_api: APIClient, name: str = "private", cidr: str = "10.0.0.0/24") -> dict:
    return make_network(demo_api, name, cidr)
