"""Networks, subnets, ports and network quotas through the admin: written as the Neutron API
writes them (its body readers and networks.services), refused as it refuses, in its words."""

from __future__ import annotations

import ipaddress

import pytest

from core.principal import Caller
from networks.models import Network, NetworkQuota, Port, Subnet
from networks.services import networks, ports, subnets
from networks.services.arguments import FixedIp, NetworkFields, PortFields, SubnetFields

from .pages import delete, post_form, refused, refused_delete, saved, table, url

pytestmark = pytest.mark.django_db
OPERATOR = Caller("operator", "", is_admin=True)
TABLES = (Network, Subnet, Port, NetworkQuota)


@pytest.fixture
def lab(rows) -> Network:
    """A network of project p1 with the subnet 10.5.0.0/24 (pools: .2 to .254)."""
    network = networks.create_network(OPERATOR, NetworkFields(name="lab"), project_id="p1")
    subnets.create_subnet(OPERATOR, str(network.id), ipaddress.IPv4Network("10.5.0.0/24"), SubnetFields(name="v4"))
    return network


def test_network_created_as_the_api_creates_it(staff, rows, admin_api):
    saved(post_form(staff, url(Network, "add"), name="ext", project_id="p1", shared="on", mtu="9000"))
    made = Network.objects.get(name="ext")
    body = {"network": {"name": "ext-api", "project_id": "p1", "shared": True, "mtu": 9000}}
    assert admin_api.post("/network/v2.0/networks", body, format="json").status_code == 201
    twin = Network.objects.get(name="ext-api")
    compared = ("project_id", "shared", "external", "admin_state_up", "status", "mtu", "description")
    assert [getattr(made, name) for name in compared] == [getattr(twin, name) for name in compared]


def test_network_refusals(staff, lab):
    before = table(*TABLES)
    refused(
        post_form(staff, url(Network, "change", lab.pk), mtu="70000"),
        "Invalid input for operation: mtu 70000 must be an integer from 68 to 9000.",
    )
    subnet = lab.subnets.get()
    refused(
        post_form(staff, url(Subnet, "change", subnet.pk), gateway_ip="10.5.0.9"),
        "Gateway ip 10.5.0.9 conflicts with allocation pool.",
    )
    assert table(*TABLES) == before
    refused(
        post_form(staff, url(Network, "add"), name="x", project_id="p1", mtu="10"),
        "Invalid input for operation: mtu 10 must be an integer from 68 to 9000.",
    )
    ports.create_port(OPERATOR, str(lab.id), PortFields(device_id="vm", device_owner="compute:nova"))
    before = table(*TABLES)
    refused_delete(
        delete(staff, lab),
        f"Unable to complete operation on network {lab.id}. There are one or more ports still in use on the network.",
    )
    assert table(*TABLES) == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"cidr": "nope"}, "Invalid input for operation: 'nope' is not a valid IP subnet."),
        (
            {"cidr": "10.5.0.0/25"},
            "Invalid input for operation: Requested subnet with cidr: 10.5.0.0/25 for network: {net} "
            "overlaps with another subnet.",
        ),
        (
            {
                "cidr": "10.6.0.0/24",
                "allocation_pools": '[{"start": "10.6.0.10", "end": "10.6.0.20"}, '
                '{"start": "10.6.0.15", "end": "10.6.0.30"}]',
            },
            "Invalid input for operation: allocation pools overlap.",
        ),
        (
            {
                "cidr": "10.6.0.0/24",
                "gateway_ip": "10.6.0.12",
                "allocation_pools": '[{"start": "10.6.0.10", "end": "10.6.0.20"}]',
            },
            "Gateway ip 10.6.0.12 conflicts with allocation pool.",
        ),
        (
            {"cidr": "10.6.0.0/24", "gateway_ip": "10.7.0.1"},
            "Invalid input for operation: gateway_ip 10.7.0.1 is not a host address of 10.6.0.0/24.",
        ),
    ],
    ids=["cidr", "cidr-clash", "overlapping-pools", "gateway-in-pool", "gateway-outside"],
)
def test_subnet_refused(staff, lab, changes, message):
    before = table(*TABLES)
    response = post_form(staff, url(Subnet, "add"), network=lab.pk, project_id="p1", **changes)
    refused(response, message.format(net=lab.id))
    assert table(*TABLES) == before


def test_subnet_created_and_changed_as_the_api_does(staff, lab, admin_api):
    saved(post_form(staff, url(Subnet, "add"), network=lab.pk, project_id="p1", name="second", cidr="10.8.0.0/24"))
    made = Subnet.objects.get(name="second")
    body = {"subnet": {"network_id": str(lab.id), "name": "third", "cidr": "10.9.0.0/24", "ip_version": 4}}
    assert admin_api.post("/network/v2.0/subnets", body, format="json").status_code == 201
    twin = Subnet.objects.get(name="third")
    assert (made.gateway_ip, made.allocation_pools[0]["start"]) == ("10.8.0.1", "10.8.0.2")
    assert (twin.gateway_ip, twin.allocation_pools[0]["start"]) == ("10.9.0.1", "10.9.0.2")
    assert (made.ip_version, made.enable_dhcp, made.project_id) == (twin.ip_version, twin.enable_dhcp, "p1")
    saved(post_form(staff, url(Subnet, "change", made.pk), enable_dhcp=None, dns_nameservers='["192.0.2.53"]'))
    made.refresh_from_db()
    assert (made.enable_dhcp, made.dns_nameservers, made.cidr) == (False, ["192.0.2.53"], "10.8.0.0/24")


def test_subnet_in_use_not_deleted(staff, lab):
    ports.create_port(OPERATOR, str(lab.id), PortFields())
    subnet = lab.subnets.get()
    before = table(*TABLES)
    refused_delete(
        delete(staff, subnet),
        f"Unable to complete operation on subnet {subnet.id}: "
        "One or more ports have an IP allocation from this subnet.",
    )
    assert table(*TABLES) == before


def test_port_created_with_an_address_from_ipam(staff, lab):
    saved(post_form(staff, url(Port, "add"), network=lab.pk, project_id="p1", name="p"))
    port = Port.objects.get(name="p")
    assert port.fixed_ips == [{"subnet_id": str(lab.subnets.get().id), "ip_address": "10.5.0.2"}]
    assert (port.status, port.project_id, len(port.mac_address)) == ("DOWN", "p1", 17)
    saved(post_form(staff, url(Port, "change", port.pk), name="renamed", admin_state_up=None))
    port.refresh_from_db()
    assert (port.name, port.admin_state_up, port.fixed_ips[0]["ip_address"]) == ("renamed", False, "10.5.0.2")
    assert delete(staff, port).status_code == 302 and not Port.objects.filter(pk=port.pk).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"fixed_ips": '[{"ip_address": "10.9.9.9"}]'},
            "Invalid input for operation: IP address 10.9.9.9 is not a valid IP for the specified subnet.",
        ),
        ({"fixed_ips": '[{"ip_address": "10.5.0.7"}]'}, "IP address 10.5.0.7 already allocated in subnet {subnet}"),
        (
            {"mac_address": "fa:16:3e:00:00:aa"},
            "Unable to complete operation for network {net}. The mac address fa:16:3e:00:00:aa is in use.",
        ),
    ],
    ids=["address-outside", "address-taken", "mac-taken"],
)
def test_port_refused(staff, lab, changes, message):
    ports.create_port(
        OPERATOR,
        str(lab.id),
        PortFields(),
        fixed_ips=(FixedIp(ip_address="10.5.0.7"),),
        mac_address="fa:16:3e:00:00:aa",
    )
    before = table(*TABLES)
    response = post_form(staff, url(Port, "add"), network=lab.pk, project_id="p1", **changes)
    refused(response, message.format(net=lab.id, subnet=lab.subnets.get().id))
    assert table(*TABLES) == before


def test_network_quota_below_usage_refused(staff, lab):
    before = table(*TABLES)
    refused(
        post_form(staff, url(NetworkQuota, "add"), project_id="p1", limits='{"network": 0}'),
        "Quota limit 0 for network must be greater than or equal to already used 1.",
    )
    refused(
        post_form(staff, url(NetworkQuota, "add"), project_id="p1", limits='{"bogus": 1}'),
        "Unrecognized attribute(s) 'bogus'",
    )
    assert table(*TABLES) == before
    NetworkQuota.objects.create(project_id="p1", limits={"network": 5})
    before = table(*TABLES)
    refused(
        post_form(staff, url(NetworkQuota, "change", "p1"), limits='{"network": 0}'),
        "Quota limit 0 for network must be greater than or equal to already used 1.",
    )
    refused(
        post_form(staff, url(NetworkQuota, "change", "p1"), limits="{}"),
        "Invalid input for operation: no quota to update.",
    )
    assert table(*TABLES) == before


def test_network_quota_set_changed_and_reset(staff, lab, admin_api):
    saved(post_form(staff, url(NetworkQuota, "add"), project_id="p1", limits='{"network": 5, "port": 50}'))
    saved(post_form(staff, url(NetworkQuota, "change", "p1"), limits='{"network": 6}'))
    quota = admin_api.get("/network/v2.0/quotas/p1").json()["quota"]
    assert (quota["network"], quota["port"]) == (6, 500)
    assert delete(staff, NetworkQuota.objects.get(pk="p1")).status_code == 302
    assert not NetworkQuota.objects.filter(pk="p1").exists()
