"""The flavor admin creates flavors as POST /flavors does and changes only what Nova lets
change (description, extra specs, access), refusing what the API refuses in its words."""

from __future__ import annotations

import pytest

from servers.models import Flavor, FlavorAccess

from .pages import bulk_delete, delete, post_form, refused, saved, table, url

pytestmark = pytest.mark.django_db
NEW = {"name": "m1.new", "flavorid": "new", "vcpus": "2", "memory_mb": "1024", "root_gb": "10"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"flavorid": "bad/id"}, "Invalid input for field/attribute id. Value: bad/id. "),
        ({"vcpus": "-1"}, "Invalid input for field/attribute vcpus. Value: -1. Value must be between 1 and "),
        ({"memory_mb": "0"}, "Invalid input for field/attribute ram. Value: 0. Value must be between 1 and "),
        ({"name": "m1.tiny1"}, "Flavor with name m1.tiny1 already exists."),
        ({"flavorid": "tiny1"}, "Flavor with ID tiny1 already exists."),
        (
            {"rxtx_factor": "0"},
            "Invalid input for field/attribute rxtx_factor. Value: 0.0. Value must be greater than 0",
        ),
        (
            {"extra_specs": '{"bad key!": "1"}'},
            "Invalid input for field/attribute extra_specs. Value: bad key!. Keys must match ^[a-zA-Z0-9-_:. ]{1,255}$",
        ),
    ],
    ids=["id-characters", "negative-vcpus", "no-ram", "taken-name", "taken-id", "rxtx", "spec-key"],
)
def test_invalid_flavor_refused(staff, rows, changes, message):
    before = table(Flavor, FlavorAccess)
    response = post_form(staff, url(Flavor, "add"), **{**NEW, **changes})
    assert response.status_code == 200
    errors = [str(error) for error_list in response.context["errors"] for error in error_list]
    assert any(error.startswith(message) for error in errors), errors
    assert table(Flavor, FlavorAccess) == before


def test_access_refusals(staff, rows):
    before = table(Flavor, FlavorAccess)
    public = {**NEW, "is_public": "on", "access-0-project_id": rows[FlavorAccess].project_id}
    refused(post_form(staff, url(Flavor, "add"), **public), "Can not add access to a public flavor.")
    private = {**NEW, "is_public": None, "access-0-project_id": "nope"}
    refused(post_form(staff, url(Flavor, "add"), **private), "Project ID nope is not a valid project.")
    assert table(Flavor, FlavorAccess) == before
    flavor = rows[Flavor]
    Flavor.objects.filter(pk=flavor.pk).update(is_public=False)
    before = table(Flavor, FlavorAccess)
    response = post_form(staff, url(FlavorAccess, "add"), flavor=flavor.pk, project_id=rows[FlavorAccess].project_id)
    refused(
        response,
        f"Flavor access already exists for flavor {flavor.flavorid} and project {rows[FlavorAccess].project_id} "
        "combination.",
    )
    assert table(Flavor, FlavorAccess) == before


def test_flavor_created_as_post_flavors_creates_it(staff, rows, admin_api):
    project = rows[FlavorAccess].project_id
    changes = {
        **NEW,
        "is_public": None,
        "extra_specs": '{"hw:cpu_policy": "dedicated"}',
        "access-0-project_id": project,
    }
    saved(post_form(staff, url(Flavor, "add"), **changes))
    made = Flavor.objects.get(flavorid="new")
    body = {"name": "m1.api", "id": "api", "vcpus": 2, "ram": 1024, "disk": 10, "os-flavor-access:is_public": False}
    assert admin_api.post("/compute/v2.1/flavors", {"flavor": body}, format="json").status_code == 200
    twin = Flavor.objects.get(flavorid="api")
    fields = ("vcpus", "memory_mb", "root_gb", "ephemeral_gb", "swap", "rxtx_factor", "is_public", "disabled")
    assert [getattr(made, name) for name in fields] == [getattr(twin, name) for name in fields]
    assert made.extra_specs == {"hw:cpu_policy": "dedicated"}
    assert list(made.access.values_list("project_id", flat=True)) == [project]


def test_only_description_extra_specs_and_access_change(staff, rows):
    flavor = rows[Flavor]
    Flavor.objects.filter(pk=flavor.pk).update(is_public=False, extra_specs={"a": "1", "b": "2"})
    content = staff.get(url(Flavor, "change", flavor.pk)).content
    for field in ("vcpus", "memory_mb", "root_gb", "flavorid", "name", "is_public", "disabled"):
        assert f'name="{field}"'.encode() not in content, field
    page = url(Flavor, "change", flavor.pk)
    saved(post_form(staff, page, description="small", extra_specs='{"a": "1", "c": "3"}', **{"access-0-DELETE": "on"}))
    flavor.refresh_from_db()
    assert (flavor.description, flavor.extra_specs, flavor.vcpus) == ("small", {"a": "1", "c": "3"}, 1)
    assert not flavor.access.exists()


def test_flavor_and_access_deleted_through_the_service(staff, rows):
    assert delete(staff, rows[FlavorAccess]).status_code == 302
    assert not FlavorAccess.objects.exists()
    other = Flavor.objects.create(name="other", flavorid="other", vcpus=1, memory_mb=64)
    assert bulk_delete(staff, Flavor, rows[Flavor], other).status_code == 302
    assert not Flavor.objects.exists()


def test_extra_spec_change_refused(staff, rows):
    flavor = rows[Flavor]
    before = table(Flavor)
    response = post_form(staff, url(Flavor, "change", flavor.pk), description="x", extra_specs='{"bad key!": "1"}')
    refused(
        response,
        "Invalid input for field/attribute extra_specs. Value: bad key!. Keys must match ^[a-zA-Z0-9-_:. ]{1,255}$",
    )
    assert table(Flavor) == before
