"""python-glanceclient, the library Horizon's image pages use, against the live image API: it
builds its image objects from GET /v2/schemas/image (warlock validates a shown image against
that schema), lists metadata definitions namespaces, and turns Glance's error responses into
its exceptions (it reads webob's HTML page; a JSON body in another shape crashed it)."""

from __future__ import annotations

import pytest
from glanceclient import exc
from glanceclient.v2.client import Client
from keystoneauth1 import session
from keystoneauth1.identity import v3

from novasite.demo import CIRROS_IMAGE_ID, seed


@pytest.fixture
def glance(live_server, transactional_db, settings, tmp_path) -> Client:
    settings.IMAGE_DIR = str(tmp_path / "images")
    seed("secret", "secret")
    auth = v3.Password(
        auth_url=f"{live_server.url}/identity/v3",
        username="demo",
        password="secret",
        user_domain_name="Default",
        project_name="demo",
        project_domain_name="Default",
    )
    return Client(session=session.Session(auth=auth))


def test_images_are_built_from_the_image_schema(glance):
    listed = {image.id: image for image in glance.images.list()}
    assert str(CIRROS_IMAGE_ID) in listed
    shown = glance.images.get(str(CIRROS_IMAGE_ID))  # validated against the schema
    assert shown.name == listed[str(CIRROS_IMAGE_ID)].name and shown.status == "active"
    created = glance.images.create(name="horizon", disk_format="qcow2", container_format="bare", hw_os="linux")
    assert created.status == "queued" and created.hw_os == "linux"
    updated = glance.images.update(created.id, min_ram=64, remove_props=["hw_os"])
    assert updated.min_ram == 64 and "hw_os" not in updated
    schema = glance.schemas.get("image")
    assert {"id", "name", "status", "visibility", "os_hidden"} <= set(schema.raw()["properties"])
    assert schema.raw()["additionalProperties"] == {"type": "string"}
    assert glance.schemas.get("images").raw()["properties"]["images"]["items"]["name"] == "image"


def test_metadefs_namespaces_are_an_empty_listing(glance):
    assert list(glance.metadefs_namespace.list(filters={"resource_types": "OS::Nova::Flavor"})) == []
    schema = glance.schemas.get("metadefs/namespace").raw()
    assert schema["required"] == ["namespace"] and "property" in schema["definitions"]
    assert glance.schemas.get("metadefs/namespaces").raw()["properties"]["namespaces"]["type"] == "array"


def test_errors_become_glanceclients_exceptions_with_glances_sentence(glance):
    missing = "8f3c2b1e-0000-4000-8000-000000000000"
    with pytest.raises(exc.HTTPNotFound) as not_found:
        glance.images.get(missing)
    assert not_found.value.details == f"404 Not Found: No image found with ID {missing}"
    with pytest.raises(exc.HTTPForbidden) as forbidden:
        glance.images.delete(str(CIRROS_IMAGE_ID))  # the public cirros image is the admin's
    assert forbidden.value.details.startswith("403 Forbidden: ")
    with pytest.raises(exc.HTTPNotFound):
        glance.schemas.get("nothing")
