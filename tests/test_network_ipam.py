"""Address allocation by index (networks.ipam, networks.allocation): the lowest free pool
address first, a taken fixed IP is 409, addresses are freed with their port, the allocation
table always holds exactly what the ports' fixed_ips show (whichever path made or removed
them, and after the migration's fill), and concurrent creates on one small network never
share an address."""

from __future__ import annotations

import importlib
import ipaddress
import threading

import pytest
from django.apps import apps
from django.db import connection

from core.principal import Caller
from networks import allocation, ipam
from networks.exceptions import IpAddressGenerationFailure
from networks.models import IPAllocation, Network, Port, Subnet
from networks.services import networks, subnets
from networks.services.arguments import NetworkFields, SubnetFields

from .network_l3_helpers import V2, neutron_error, post, private, public, put
from .servers_helpers import demo_server

OPERATOR = Caller("operator", "", is_admin=True)
fill = importlib.import_module("networks.migrations.0005_ip_allocations").fill


def small_network(cidr: str) -> Network:
    """A network of project p1 with one subnet of ``cidr`` (gateway: its first host address)."""
    network = networks.create_network(OPERATOR, NetworkFields(name="small"), project_id="p1")
    subnets.create_subnet(OPERATOR, str(network.id), ipaddress.IPv4Network(cidr), SubnetFields())
    return network


def new_port(network: Network, **kwargs) -> Port:
    return ipam.create_port(network, project_id="p1", security_groups=[], **kwargs)


def address(port: Port) -> str:
    return port.fixed_ips[0]["ip_address"]


def held_and_shown() -> tuple[set[tuple[str, str, str]], set[tuple[str, str, str]]]:
    """(what the allocation table holds, what the ports' fixed_ips show), as (subnet, address, port)."""
    held = {
        (str(subnet), str(ipaddress.IPv4Address(number)), str(port))
        for subnet, number, port in IPAllocation.objects.values_list("subnet_id", "address", "port_id")
    }
    shown = {
        (entry["subnet_id"], entry["ip_address"], str(port_id))
        for port_id, fixed_ips in Port.objects.values_list("id", "fixed_ips")
        for entry in fixed_ips
    }
    return held, shown


@pytest.mark.django_db
def test_it_takes_the_lowest_free_address_and_reuses_a_freed_one(django_capture_on_commit_callbacks):
    network = small_network("10.7.0.0/29")  # gateway .1, pool .2 to .6
    taken = []
    for _ in range(3):
        # Each create's commit callbacks run, as outside a test transaction: the floor rises.
        with django_capture_on_commit_callbacks(execute=True):
            taken.append(new_port(network))
    assert [address(port) for port in taken] == ["10.7.0.2", "10.7.0.3", "10.7.0.4"]
    assert Subnet.objects.get(network=network).ipam_floor == int(ipaddress.IPv4Address("10.7.0.5"))
    taken[1].delete()
    assert not IPAllocation.objects.filter(port_id=taken[1].id).exists()
    assert address(new_port(network)) == "10.7.0.3"
    assert address(new_port(network)) == "10.7.0.5"


@pytest.mark.django_db
def test_an_address_freed_before_the_commit_keeps_the_floor_below_it(django_capture_on_commit_callbacks):
    """The floor rises after an allocation commits, unless an address was freed since the
    allocation looked (the epoch moved): the freed address stays reachable."""
    network = small_network("10.7.0.0/29")
    with django_capture_on_commit_callbacks(execute=True):
        first = new_port(network)
    with django_capture_on_commit_callbacks() as pending:
        second = new_port(network)  # .3: would raise the floor to .4 once committed
    first.delete()  # .2 is free again: the floor goes down to it
    for callback in pending:
        callback()
    assert Subnet.objects.get(network=network).ipam_floor == int(ipaddress.IPv4Address("10.7.0.2"))
    assert (address(second), address(new_port(network))) == ("10.7.0.3", "10.7.0.2")


@pytest.mark.django_db
def test_it_skips_the_gateway_and_follows_the_pools(admin_api):
    network = post(admin_api, "networks", "network", {"name": "pools"}).json()["network"]
    body = {
        "network_id": network["id"],
        "cidr": "10.8.0.0/24",
        "gateway_ip": "10.8.0.20",
        "allocation_pools": [{"start": "10.8.0.30", "end": "10.8.0.31"}, {"start": "10.8.0.10", "end": "10.8.0.11"}],
    }
    assert post(admin_api, "subnets", "subnet", body).status_code == 201
    made = [post(admin_api, "ports", "port", {"network_id": network["id"]}) for _ in range(5)]
    assert [response.status_code for response in made] == [201, 201, 201, 201, 409]
    assert [r.json()["port"]["fixed_ips"][0]["ip_address"] for r in made[:4]] == [
        "10.8.0.10",
        "10.8.0.11",
        "10.8.0.30",
        "10.8.0.31",
    ]
    assert neutron_error(made[4]) == (409, "IpAddressGenerationFailure")


@pytest.mark.django_db
def test_a_taken_fixed_ip_is_409_and_changes_nothing(demo_api):
    net = private(demo_api)
    wanted = {"network_id": net["id"], "fixed_ips": [{"ip_address": "10.0.0.9"}]}
    assert post(demo_api, "ports", "port", wanted).status_code == 201
    before = held_and_shown()
    again = post(demo_api, "ports", "port", wanted)
    assert neutron_error(again) == (409, "IpAddressAlreadyAllocated")
    assert again.json()["NeutronError"]["message"] == (
        f"IP address 10.0.0.9 already allocated in subnet {net['subnet']['id']}"
    )
    assert held_and_shown() == before


@pytest.mark.django_db
def test_a_full_pool_is_409_as_before(demo_api):
    net = private(demo_api, cidr="10.9.0.0/30")  # gateway .1: one address, .2
    assert post(demo_api, "ports", "port", {"network_id": net["id"]}).status_code == 201
    full = post(demo_api, "ports", "port", {"network_id": net["id"]})
    assert neutron_error(full) == (409, "IpAddressGenerationFailure")
    assert full.json()["NeutronError"]["message"] == f"No more IP addresses available on network {net['id']}."
    with pytest.raises(IpAddressGenerationFailure):
        new_port(Network.objects.get(id=net["id"]))


@pytest.mark.django_db
def test_deleting_a_port_frees_its_address_and_then_its_subnet(demo_api):
    net = private(demo_api)
    port = post(demo_api, "ports", "port", {"network_id": net["id"]}).json()["port"]
    subnet_url = f"{V2}/subnets/{net['subnet']['id']}"
    assert neutron_error(demo_api.delete(subnet_url)) == (409, "SubnetInUse")
    assert demo_api.delete(f"{V2}/ports/{port['id']}").status_code == 204
    assert not IPAllocation.objects.exists()
    again = post(demo_api, "ports", "port", {"network_id": net["id"]}).json()["port"]
    assert again["fixed_ips"] == port["fixed_ips"]
    assert demo_api.delete(f"{V2}/ports/{again['id']}").status_code == 204
    assert demo_api.delete(subnet_url).status_code == 204


@pytest.mark.django_db
def test_the_table_agrees_with_fixed_ips_after_every_path(admin_api, demo_api):
    nets = {"public": public(admin_api), "private": private(demo_api)}
    router = post(
        demo_api, "routers", "router", {"name": "r1", "external_gateway_info": {"network_id": nets["public"]["id"]}}
    )
    router_id = router.json()["router"]["id"]
    put(demo_api, f"routers/{router_id}/add_router_interface", {"subnet_id": nets["private"]["subnet"]["id"]})
    server = demo_server()
    (bound,) = ipam.bind_ports_for_server(str(server.uuid), server.project_id, [{"uuid": nets["private"]["id"]}])
    user_port = post(demo_api, "ports", "port", {"network_id": nets["private"]["id"]}).json()["port"]
    fip = post(
        demo_api, "floatingips", "floatingip", {"floating_network_id": nets["public"]["id"], "port_id": user_port["id"]}
    )
    assert fip.status_code == 201, fip.content
    held, shown = held_and_shown()
    assert held == shown and len(held) == 5  # gateway, interface, server port, user port, floating IP
    assert {address for _, address, _ in held} >= {"10.0.0.1", "172.24.4.2", "172.24.4.3"}

    assert demo_api.delete(f"{V2}/floatingips/{fip.json()['floatingip']['id']}").status_code == 204
    ipam.release_ports_of_server(str(server.uuid), [{"uuid": nets["private"]["id"]}])
    assert (
        put(
            demo_api, f"routers/{router_id}/remove_router_interface", {"subnet_id": nets["private"]["subnet"]["id"]}
        ).status_code
        == 200
    )
    held, shown = held_and_shown()
    assert held == shown and len(held) == 2  # the gateway and the user's port
    assert not Port.objects.filter(id=bound.id).exists()

    # A port the user passed to a server is only unbound: it keeps its address.
    server2 = demo_server()
    ipam.bind_ports_for_server(str(server2.uuid), server2.project_id, [{"port": user_port["id"]}])
    ipam.release_ports_of_server(str(server2.uuid), [{"port": user_port["id"]}])
    assert held_and_shown() == (held, shown)

    # Deleting the network takes its ports' addresses with them.
    assert (
        admin_api.put(f"{V2}/routers/{router_id}", {"router": {"external_gateway_info": {}}}, format="json").status_code
        == 200
    )
    assert demo_api.delete(f"{V2}/ports/{user_port['id']}").status_code == 204
    assert held_and_shown() == (set(), set())


@pytest.mark.django_db
def test_the_migration_fills_the_table_from_fixed_ips():
    network = small_network("10.7.0.0/24")
    subnet = Subnet.objects.get(network=network)
    made = [new_port(network) for _ in range(3)] + [new_port(network, fixed_ip="10.7.0.200")]
    expected = held_and_shown()[0]
    Port.objects.create(  # an entry naming no subnet of ours holds nothing
        network=network, mac_address="fa:16:3e:ff:ff:ff", fixed_ips=[{"subnet_id": "x", "ip_address": "10.7.0.77"}]
    )
    IPAllocation.objects.all().delete()
    assert Subnet.objects.get(id=subnet.id).ipam_floor == 0  # frees lower the floor
    fill(apps, None)
    assert held_and_shown()[0] == expected
    assert len(expected) == len(made)
    assert address(new_port(network)) == "10.7.0.5"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("cidr", "created", "refused"), [("10.6.0.0/27", 24, 0), ("10.6.0.0/28", 13, 11)])
def test_concurrent_creates_never_share_an_address(cidr, created, refused):
    """8 threads create 3 ports each at once (own connections, own transactions): a /27 has
    room for all 24, a /28 for 13 (.2 to .14): the rest are refused as a full pool is."""
    network = small_network(cidr)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def run() -> None:
        try:
            barrier.wait()
            for _ in range(3):
                try:
                    outcomes.append(address(new_port(network)))
                except IpAddressGenerationFailure:
                    outcomes.append("full")
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    addresses = [outcome for outcome in outcomes if outcome != "full"]
    assert (len(addresses), outcomes.count("full")) == (created, refused)
    assert len(set(addresses)) == created
    pool = ipaddress.IPv4Network(cidr)
    assert sorted(addresses, key=ipaddress.IPv4Address) == [str(pool.network_address + 2 + i) for i in range(created)]
    held, shown = held_and_shown()
    assert held == shown and len(held) == created


@pytest.mark.django_db
def test_the_loser_of_a_race_takes_the_next_free_address(monkeypatch):
    """A search that did not see another port's address yet (it committed meanwhile): the
    UNIQUE constraint refuses it, and the port takes the next free one."""
    network = small_network("10.7.0.0/29")
    first = new_port(network)
    real_next_free = allocation.next_free
    stale = iter([(int(ipaddress.IPv4Address(address(first))), 0)])
    monkeypatch.setattr(allocation, "next_free", lambda subnet: next(stale, None) or real_next_free(subnet))
    second = new_port(network)
    assert (address(first), address(second)) == ("10.7.0.2", "10.7.0.3")
    held, shown = held_and_shown()
    assert held == shown and len(held) == 2
