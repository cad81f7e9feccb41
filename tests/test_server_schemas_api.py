"""The servers API's request bodies against Nova's JSON schemas (types, formats, unknown
properties), and what create, PUT, rebuild, rescue and evacuate answer (Nova's view builder:
fewer attributes for PUT and rebuild before 2.75, server_groups only in a single server's
show, OS-DCF:diskConfig everywhere, adminPass as enable_instance_password says)."""

from __future__ import annotations

import uuid

import pytest

from hosts.heartbeats import record_compute_report
from images.models import Image
from networks.models import Network, Port
from networks.security import default_group
from novasite.demo import CIRROS_IMAGE_ID
from servers.models import Server

from .servers_helpers import demo_server

pytestmark = pytest.mark.django_db

CAPS = {"supports_set_admin_password": True, "supports_nmi": True}
SERVERS = "/compute/v2.1/servers"


def version(text: str) -> dict[str, str]:
    return {"HTTP_OPENSTACK_API_VERSION": f"compute {text}"}


def create_body(**overrides) -> dict:
    server = {"name": "vm1", "imageRef": str(CIRROS_IMAGE_ID), "flavorRef": "42", "networks": []}
    server.update(overrides)
    return {"server": server}


def create(api, body: dict, **headers):
    return api.post(SERVERS, body, format="json", **headers)


@pytest.fixture
def server(demo_api):
    """An ACTIVE server of the demo project on a host that reports its capabilities."""
    record_compute_report("c1", {"vcpus": 4, "memory_mb": 4096, "disk_gb": 40, "capabilities": CAPS})
    return demo_server(image_ref=str(CIRROS_IMAGE_ID))


def act(api, server, body, **headers):
    return api.post(f"{SERVERS}/{server.uuid}/action", body, format="json", **headers)


@pytest.mark.parametrize(
    "overrides, fragment",
    [
        ({"name": 12345}, "12345 is not of type 'string'"),
        ({"adminPass": 1234}, "1234 is not of type 'string'"),
        ({"accessIPv4": "1.1.1"}, "accessIPv4"),
        ({"accessIPv6": "2001:::1"}, "accessIPv6"),
        ({"OS-DCF:diskConfig": "SOMETIMES"}, "OS-DCF:diskConfig"),
        ({"min_count": "two"}, "min_count"),
        ({"config_drive": "maybe"}, "config_drive"),
        ({"user_data": "not base64!"}, "user_data"),
        ({"colour": "blue"}, "Additional properties are not allowed ('colour' was unexpected)"),
        ({"name": "padded "}, "Can not start or end with whitespace"),
        ({"block_device_mapping_v2": [{"destination_type": "invalid"}]}, "destination_type"),
    ],
)
def test_create_bodies_follow_novas_schema(demo_api, overrides, fragment):
    response = create(demo_api, create_body(**overrides))
    assert response.status_code == 400, response.content
    assert fragment in response.json()["badRequest"]["message"]
    assert not Server.objects.exists()


def test_create_accepts_what_novas_formats_accept(demo_api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        for address in ("2001:2001::3", "::babe:202:202"):
            body = create_body(accessIPv4="1.1.1.1", accessIPv6=address, name=f"v6-{address}")
            response = create(demo_api, body)
            assert response.status_code == 202, response.content
        shown = demo_api.get(f"{SERVERS}/{response.json()['server']['id']}").json()["server"]
    assert shown["accessIPv6"] == "::babe:202:202" and shown["accessIPv4"] == "1.1.1.1"


def test_networks_may_be_auto_or_none_only_from_2_37(demo_api, django_capture_on_commit_callbacks):
    refused = create(demo_api, create_body(networks="none"))
    assert refused.status_code == 400 and "networks" in refused.json()["badRequest"]["message"]
    with django_capture_on_commit_callbacks(execute=False):
        assert create(demo_api, create_body(networks="none"), **version("2.37")).status_code == 202


def test_unknown_properties_depend_on_the_microversion(demo_api, django_capture_on_commit_callbacks):
    described = create_body(description="hello")
    assert create(demo_api, described).status_code == 400  # description arrived in 2.19
    with django_capture_on_commit_callbacks(execute=False):
        assert create(demo_api, described, **version("2.19")).status_code == 202


def test_disk_config_is_kept_and_echoed(demo_api, server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        created = create(demo_api, create_body(**{"OS-DCF:diskConfig": "AUTO"})).json()["server"]
    assert created["OS-DCF:diskConfig"] == "AUTO"
    assert demo_api.get(f"{SERVERS}/{created['id']}").json()["server"]["OS-DCF:diskConfig"] == "AUTO"
    url = f"{SERVERS}/{server.uuid}"
    updated = demo_api.put(url, {"server": {"OS-DCF:diskConfig": "AUTO"}}, format="json").json()["server"]
    assert updated["OS-DCF:diskConfig"] == "AUTO"
    with django_capture_on_commit_callbacks(execute=False):
        body = {"rebuild": {"imageRef": str(CIRROS_IMAGE_ID), "OS-DCF:diskConfig": "MANUAL"}}
        rebuilt = act(demo_api, server, body).json()["server"]
    assert rebuilt["OS-DCF:diskConfig"] == "MANUAL"
    listed = demo_api.get(f"{SERVERS}/detail").json()["servers"]
    assert {item["OS-DCF:diskConfig"] for item in listed} == {"AUTO", "MANUAL"}


def test_update_refuses_what_novas_schema_refuses(demo_api, server):
    url = f"{SERVERS}/{server.uuid}"
    for body in (
        {"server": {"name": 42}},
        {"server": {"accessIPv6": "not-an-address"}},
        {"server": {"description": "too early"}},
        {"server": {"flavorRef": "42"}},
        {"server": {"name": "x"}, "extra": {}},
    ):
        response = demo_api.put(url, body, format="json")
        assert response.status_code == 400, body
    accepted = demo_api.put(url, {"server": {"accessIPv6": "::babe:202:202"}}, format="json")
    assert accepted.status_code == 200 and accepted.json()["server"]["accessIPv6"] == "::babe:202:202"


EXTENDED = (
    "OS-EXT-STS:vm_state",
    "OS-EXT-AZ:availability_zone",
    "OS-SRV-USG:launched_at",
    "config_drive",
    "key_name",
    "security_groups",
    "os-extended-volumes:volumes_attached",
)


def test_update_answers_the_basic_server_before_2_75(admin_api, server):
    network = Network.objects.get(name="provider")
    port = Port.objects.create(
        network=network,
        project_id=server.project_id,
        mac_address="fa:16:3e:00:00:01",
        fixed_ips=[{"ip_address": "10.0.0.5"}],
        device_id=str(server.uuid),
    )
    port.security_groups.add(default_group(server.project_id))
    url = f"{SERVERS}/{server.uuid}"
    before = admin_api.put(url, {"server": {"name": "a"}}, format="json", **version("2.74")).json()["server"]
    assert before["addresses"] == {"provider": [{"version": 4, "addr": "10.0.0.5"}]}
    assert not set(EXTENDED) & set(before)
    assert not [key for key in before if key.startswith("OS-EXT-SRV-ATTR:")]
    assert before["name"] == "a" and before["locked"] is False and "server_groups" in before
    after = admin_api.put(url, {"server": {"name": "b"}}, format="json", **version("2.75")).json()["server"]
    assert set(EXTENDED) <= set(after) and after["OS-EXT-SRV-ATTR:host"] == "c1"
    assert after["addresses"]["provider"][0]["OS-EXT-IPS-MAC:mac_addr"] == "fa:16:3e:00:00:01"


def test_server_groups_are_shown_by_show_only(demo_api, server):
    show = demo_api.get(f"{SERVERS}/{server.uuid}", **version("2.71")).json()["server"]
    assert show["server_groups"] == []
    listed = demo_api.get(f"{SERVERS}/detail", **version("2.71")).json()["servers"]
    assert listed and "server_groups" not in listed[0]


def test_rebuild_answers_with_an_admin_password_and_nova_s_attributes(
    demo_api, server, settings, django_capture_on_commit_callbacks
):
    body = {"rebuild": {"imageRef": str(CIRROS_IMAGE_ID), "adminPass": "Chosen-1", "accessIPv4": "10.0.0.9"}}
    with django_capture_on_commit_callbacks(execute=False) as published:
        response = act(demo_api, server, body, **version("2.57"))
    assert response.status_code == 202, response.content
    rebuilt = response.json()["server"]
    assert rebuilt["adminPass"] == "Chosen-1" and rebuilt["accessIPv4"] == "10.0.0.9"
    assert "user_data" in rebuilt and "key_name" in rebuilt  # 2.57 and 2.54
    assert not set(EXTENDED) - {"key_name"} & set(rebuilt)
    assert len(published) == 1
    Server.objects.filter(pk=server.pk).update(task_state=None)
    with django_capture_on_commit_callbacks(execute=False):
        generated = act(demo_api, server, {"rebuild": {"imageRef": str(CIRROS_IMAGE_ID)}}).json()["server"]
    assert len(generated["adminPass"]) == 12 and "user_data" not in generated and "key_name" not in generated
    Server.objects.filter(pk=server.pk).update(task_state=None)
    settings.ENABLE_INSTANCE_PASSWORD = False
    with django_capture_on_commit_callbacks(execute=False):
        quiet = act(demo_api, server, body).json()["server"]
    assert "adminPass" not in quiet


def test_rebuild_bodies_follow_novas_schema(demo_api, server):
    image = str(CIRROS_IMAGE_ID)
    body: dict
    for body in (
        {"rebuild": {}},
        {"rebuild": {"imageRef": "not-a-uuid"}},
        {"rebuild": {"imageRef": image, "adminPass": 5}},
        {"rebuild": {"imageRef": image, "name": 7}},
        {"rebuild": {"imageRef": image, "accessIPv6": "nope"}},
        {"rebuild": {"imageRef": image, "key_name": None}},  # 2.54
        {"rebuild": {"imageRef": image, "bogus": 1}},
    ):
        response = act(demo_api, server, body)
        assert response.status_code == 400, body
    server.refresh_from_db()
    assert server.task_state is None


def test_rescue_answers_with_an_admin_password(demo_api, server, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        given = act(demo_api, server, {"rescue": {"adminPass": "Rescue-1"}})
    assert given.status_code == 200 and given.json() == {"adminPass": "Rescue-1"}
    Server.objects.filter(pk=server.pk).update(task_state=None)
    with django_capture_on_commit_callbacks(execute=False):
        generated = act(demo_api, server, {"rescue": None}).json()
    assert len(generated["adminPass"]) == 12
    Server.objects.filter(pk=server.pk).update(task_state=None)
    assert act(demo_api, server, {"rescue": {"adminPass": 12}}).status_code == 400
    settings.ENABLE_INSTANCE_PASSWORD = False
    with django_capture_on_commit_callbacks(execute=False):
        quiet = act(demo_api, server, {"rescue": {}})
    assert quiet.status_code == 200 and quiet.json() == {}


def test_evacuate_answers_with_an_admin_password_before_2_14(admin_api, server):
    bodies: tuple[tuple[dict, dict, int], ...] = (
        ({"evacuate": {}}, {}, 400),  # onSharedStorage is required before 2.14
        ({"evacuate": {"onSharedStorage": True, "adminPass": "x"}}, {}, 400),
        ({"evacuate": {"onSharedStorage": False, "force": True}}, {}, 400),
        ({"evacuate": {"onSharedStorage": False}}, version("2.14"), 400),
    )
    for body, headers, expected in bodies:
        assert act(admin_api, server, body, **headers).status_code == expected, body
    # A valid body gets as far as the host check: it is up, which Nova refuses with a 400 too.
    response = act(admin_api, server, {"evacuate": {"onSharedStorage": False}})
    assert response.status_code == 400 and "still in use" in response.json()["badRequest"]["message"]


def test_images_larger_than_the_flavor_are_refused(demo_api, server):
    Image.objects.filter(id=CIRROS_IMAGE_ID).update(min_ram=4096)
    too_small = create(demo_api, create_body())
    assert too_small.status_code == 400
    assert too_small.json()["badRequest"]["message"] == "Flavor's memory is too small for requested image."
    Image.objects.filter(id=CIRROS_IMAGE_ID).update(min_ram=0, min_disk=50)
    message = create(demo_api, create_body()).json()["badRequest"]["message"]
    assert message == (
        "Flavor's disk is smaller than the minimum size specified in image metadata. "
        "Flavor disk is 1073741824 bytes, minimum size is 53687091200 bytes."
    )
    rebuild = act(demo_api, server, {"rebuild": {"imageRef": str(CIRROS_IMAGE_ID)}})
    assert rebuild.status_code == 400 and "minimum size" in rebuild.json()["badRequest"]["message"]
    assert not Server.objects.exclude(pk=server.pk).exists()


def test_inject_network_info_is_for_admins(admin_api, demo_api, server):
    assert act(admin_api, server, {"injectNetworkInfo": None}).status_code == 202
    assert act(demo_api, server, {"injectNetworkInfo": None}).status_code == 403


def test_reboot_and_resize_bodies_follow_novas_schema(demo_api, server):
    body: dict
    for body in (
        {"reboot": {}},
        {"reboot": {"type": "GENTLE"}},
        {"reboot": {"type": "SOFT", "now": True}},
        {"resize": {}},
        {"resize": {"flavorRef": "84", "OS-DCF:diskConfig": "NEVER"}},
        {"changePassword": {"adminPass": 1}},
        {"createImage": {"name": 3}},
    ):
        assert act(demo_api, server, body).status_code == 400, body


def test_a_hostname_may_be_asked_for_from_2_90(demo_api, django_capture_on_commit_callbacks):
    body = create_body(hostname="web-1")
    assert create(demo_api, body, **version("2.89")).status_code == 400
    assert create(demo_api, create_body(hostname="-bad-"), **version("2.90")).status_code == 400
    many = create_body(hostname="web-1", min_count=2)
    refused = create(demo_api, many, **version("2.90"))
    assert refused.json()["badRequest"]["message"] == "Unable to allocate a single hostname to multiple instances"
    with django_capture_on_commit_callbacks(execute=False):
        created = create(demo_api, body, **version("2.90")).json()["server"]
    shown = demo_api.get(f"{SERVERS}/{created['id']}", **version("2.90")).json()["server"]
    assert shown["OS-EXT-SRV-ATTR:hostname"] == "web-1"


def test_a_requested_host_must_be_a_known_compute_host(admin_api):
    response = create(admin_api, create_body(host="c1"), **version("2.74"))
    assert response.status_code == 400
    assert response.json()["badRequest"]["message"] == "Compute host c1 could not be found."
    assert create(admin_api, create_body(host="c1"), **version("2.73")).status_code == 400  # unknown before 2.74
    assert not Server.objects.exists()


def test_volumes_attached_show_delete_on_termination_from_2_3(demo_api, server):
    from servers.models import VolumeAttachment

    attachment = VolumeAttachment.objects.create(
        server=server, volume_id=uuid.uuid4(), device="vdb", status="attached", delete_on_termination=True
    )
    url = f"{SERVERS}/{server.uuid}"
    before = demo_api.get(url, **version("2.2")).json()["server"]["os-extended-volumes:volumes_attached"]
    assert before == [{"id": str(attachment.volume_id)}]
    after = demo_api.get(url, **version("2.3")).json()["server"]["os-extended-volumes:volumes_attached"]
    assert after == [{"id": str(attachment.volume_id), "delete_on_termination": True}]
