"""seed_demo: the demo cloud is written through the service layer, and seeding again writes
nothing and fails on nothing."""

from __future__ import annotations

import io
import os

import pytest
from django.apps import apps
from django.core.management import call_command

from hosts.models import Aggregate
from identity.models import Project, Region, Token, User
from images import store as image_store
from images.models import Image
from networks.models import Network, Port, Router
from novasite.demo import CIRROS_IMAGE_ID, seed
from servers.models import Flavor

pytestmark = pytest.mark.django_db
APPS = ("identity", "hosts", "servers", "images", "networks", "volumes")


def everything() -> dict[str, list[dict]]:
    """Every row of every model of the cloud's apps."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for label in APPS
        for model in apps.get_app_config(label).get_models()
    }


def test_the_demo_cloud(cloud):
    assert Region.objects.filter(pk="RegionOne").exists()
    assert sorted(Flavor.objects.values_list("flavorid", "name")) == [
        ("1", "m1.tiny"),
        ("2", "m1.small"),
        ("3", "m1.medium"),
        ("42", "cirros"),
    ]
    zones = {
        aggregate.name: (aggregate.availability_zone, sorted(aggregate.hosts.values_list("host", flat=True)))
        for aggregate in Aggregate.objects.all()
    }
    assert zones == {"nova": ("nova", ["compute1", "compute2"]), "az2": ("az2", ["compute3"])}
    image = Image.objects.get(pk=CIRROS_IMAGE_ID)
    assert (image.status, image.visibility, image.name) == ("active", "public", "cirros")
    assert os.path.getsize(image_store.image_path(image.pk)) == image.size
    network = Network.objects.get(name="provider")
    subnet = network.subnets.get()
    assert (network.shared, subnet.cidr, subnet.gateway_ip) == (True, "203.0.113.0/24", "203.0.113.1")
    assert subnet.allocation_pools == [{"start": "203.0.113.2", "end": "203.0.113.254"}]
    assert User.objects.get(name="admin").assignments.get().role.name == "admin"


def test_seeding_again_changes_nothing(cloud, admin_api):
    call_command("seed_demo", stdout=io.StringIO())  # the test cloud lacks seed_demo's L3 part
    before = everything()
    seed("secret", "secret")
    call_command("seed_demo", stdout=io.StringIO())
    assert everything() == before


def test_a_new_password_is_set_through_the_service(cloud, admin_api):
    seed("changed", "secret")
    assert User.objects.get(name="admin").check_password("changed")
    assert Token.objects.get().revoked  # a new password ends the user's sessions


def test_seed_demo_adds_devstacks_public_private_and_router1(cloud, demo_api):
    """`manage.py seed_demo` (make run) adds the L3 part; a second run writes nothing."""
    call_command("seed_demo", stdout=io.StringIO())
    public = Network.objects.get(name="public")
    assert (public.external, public.shared) == (True, False)
    assert public.subnets.get().cidr == "172.24.4.0/24"
    private = Network.objects.get(name="private")
    assert private.project_id == Project.objects.get(name="demo").id and not private.external
    routers = demo_api.get("/network/v2.0/routers").json()["routers"]
    assert [r["name"] for r in routers] == ["router1"]
    assert routers[0]["external_gateway_info"]["network_id"] == str(public.id)
    interfaces = demo_api.get("/network/v2.0/ports", {"device_id": routers[0]["id"]}).json()["ports"]
    assert [port["fixed_ips"][0]["ip_address"] for port in interfaces] == ["10.0.0.1"]
    before = (Network.objects.count(), Port.objects.count(), Router.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (Network.objects.count(), Port.objects.count(), Router.objects.count()) == before
