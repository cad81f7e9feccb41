"""openstacksdk 4.22 used directly (the library Terraform-like tools and scripts use): create,
list, stop/start and delete a server on the live cloud; list flavors, hypervisors and
aggregates."""

from __future__ import annotations

import openstack.connection
import pytest

from novasite.demo import CIRROS_IMAGE_ID

pytestmark = [
    pytest.mark.e2e,
    # The SDK's own deprecation notices about its internals (not about anything novasite sends).
    pytest.mark.filterwarnings("ignore::openstack.warnings.OpenStackDeprecationWarning"),
    pytest.mark.filterwarnings("ignore::openstack.warnings._RemovedInSDKWarning"),
]


def connect(base_url: str, user: str = "admin", project: str = "admin", **extra) -> openstack.connection.Connection:
    return openstack.connection.Connection(
        auth_url=f"{base_url}/identity/v3",
        username=user,
        password="secret",
        project_name=project,
        user_domain_name="Default",
        project_domain_name="Default",
        region_name="RegionOne",
        identity_api_version="3",
        **extra,
    )


@pytest.mark.parametrize("compute_api_version", [None, "2.96"], ids=["negotiated", "2.96"])
def test_server_lifecycle_with_openstacksdk(cloud, live_server, compute_api_version):
    extra = {"compute_api_version": compute_api_version} if compute_api_version else {}
    conn = connect(live_server.url, **extra)
    try:
        image = conn.image.find_image("cirros", ignore_missing=False)
        assert image.id == str(CIRROS_IMAGE_ID)
        flavor = conn.compute.find_flavor("cirros", ignore_missing=False)
        network = conn.network.find_network("provider", ignore_missing=False)

        server = conn.compute.create_server(
            name="sdk1",
            image_id=image.id,
            flavor_id=flavor.id,
            networks=[{"uuid": network.id}],
        )
        server = conn.compute.wait_for_server(server, status="ACTIVE", interval=0.2, wait=60)
        assert server.name == "sdk1" and server.vm_state == "active" and server.power_state == 1
        assert server.compute_host in ("compute1", "compute2")
        assert server.flavor.original_name == "cirros" and server.flavor.ram == 128
        assert [entry["addr"] for entry in server.addresses["provider"]]

        listed = {s.id: s for s in conn.compute.servers()}
        assert server.id in listed and listed[server.id].status == "ACTIVE"
        found = conn.compute.find_server("sdk1")  # by name: GET /servers/sdk1 is a 404 first
        assert found is not None and found.id == server.id

        conn.compute.stop_server(server)
        server = conn.compute.wait_for_server(server, status="SHUTOFF", interval=0.2, wait=60)
        assert server.vm_state == "stopped" and server.power_state == 4
        conn.compute.start_server(server)
        server = conn.compute.wait_for_server(server, status="ACTIVE", interval=0.2, wait=60)
        assert server.power_state == 1

        conn.compute.delete_server(server)
        conn.compute.wait_for_delete(server, interval=0.2, wait=60)
        assert conn.compute.find_server("sdk1") is None
        assert server.id not in {s.id for s in conn.compute.servers()}
    finally:
        conn.close()


def test_flavors_hypervisors_aggregates_with_openstacksdk(cloud, live_server):
    conn = connect(live_server.url)
    try:
        flavors = {flavor.name: flavor for flavor in conn.compute.flavors()}
        assert {"m1.tiny", "m1.small", "m1.medium", "cirros"} <= set(flavors)
        assert flavors["cirros"].ram == 128 and flavors["cirros"].vcpus == 1 and flavors["cirros"].is_public

        hypervisors = {h.name: h for h in conn.compute.hypervisors(details=True)}
        assert {"compute1", "compute2"} <= set(hypervisors), hypervisors
        assert all(h.state == "up" and h.status == "enabled" for h in hypervisors.values()), hypervisors

        aggregates = {a.name: a for a in conn.compute.aggregates()}
        assert aggregates["nova"].availability_zone == "nova"
        assert set(aggregates["nova"].hosts) == {"compute1", "compute2"}
    finally:
        conn.close()
