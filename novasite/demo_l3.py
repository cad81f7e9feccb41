"""The demo cloud's L3 part, as devstack makes it: an external network ``public``
(172.24.4.0/24, not shared, no DHCP), the demo project's ``private`` network
(10.0.0.0/26) and its router ``router1`` with its gateway on ``public`` and an interface
on ``private-subnet``. `manage.py seed_demo` adds it after ``novasite.demo.seed``; the
test cloud (and the conformance cloud, whose Tempest fixed network stays ``provider``)
does not have it. Written through the service layer, idempotent like the rest of the demo."""

from __future__ import annotations

import ipaddress

from django.db import transaction

from core.principal import Caller
from identity.models import Project
from networks.models import Network, Router
from networks.services import access as network_access
from networks.services import networks, router_interfaces, routers, subnets
from networks.services.arguments import GatewayInfo, NetworkFields, RouterFields, SubnetFields
from novasite.admin_support import operator_caller

PUBLIC_CIDR = ipaddress.IPv4Network("172.24.4.0/24")
PRIVATE_CIDR = ipaddress.IPv4Network("10.0.0.0/26")


def _network(caller: Caller, name: str, project: Project, fields: NetworkFields) -> Network:
    found = network_access.networks(caller).filter(name=name, project_id=project.id).first()
    return found or networks.create_network(caller, fields, project_id=project.id)


def _subnet(caller: Caller, network: Network, cidr: ipaddress.IPv4Network, fields: SubnetFields) -> str:
    found = network.subnets.filter(name=fields.name).first()
    if found is None:
        found = subnets.create_subnet(caller, str(network.id), cidr, fields, project_id=network.project_id)
    return str(found.id)


def _router(caller: Caller, project: Project, public: Network) -> Router:
    found = routers.routers(caller).filter(name="router1", project_id=project.id).first()
    if found is None:
        fields = RouterFields(name="router1", gateway=GatewayInfo(network_id=str(public.id)))
        found = routers.create_router(caller, fields, project_id=project.id)
    return found


def seed_l3(caller: Caller | None = None) -> None:
    """public, private and router1 between them (the admin and demo projects must exist)."""
    caller = caller or operator_caller("seed_demo")
    admin_project = Project.objects.get(name="admin")
    demo_project = Project.objects.get(name="demo")
    with transaction.atomic():
        public = _network(caller, "public", admin_project, NetworkFields(name="public", external=True))
        _subnet(caller, public, PUBLIC_CIDR, SubnetFields(name="public-subnet", enable_dhcp=False))
        private = _network(caller, "private", demo_project, NetworkFields(name="private"))
        private_subnet = _subnet(caller, private, PRIVATE_CIDR, SubnetFields(name="private-subnet"))
        router = _router(caller, demo_project, public)
        if not routers.interface_ports(router).exists():
            router_interfaces.add_interface(caller, str(router.id), subnet_id=private_subnet)
