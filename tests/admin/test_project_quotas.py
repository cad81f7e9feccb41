"""A project's quota set in the admin: every resource's limit and usage as
GET /os-quota-sets/{project}/detail shows it, changed in one PUT /os-quota-sets, refused in
Nova's words (below usage, out of range, not a number, an unknown project)."""

from __future__ import annotations

import pytest

from identity.models import Project
from servers.models import QuotaLimit

from .pages import messages_of, table, url

pytestmark = pytest.mark.django_db
PAGE = "/admin/servers/quotalimit/project/"


def limits_on(response) -> dict[str, str]:
    form = response.context["form"]
    return {name: str(form[name].value()) for name in form.fields if name != "force"}


def test_linked_from_the_quota_list(staff, rows):
    content = staff.get(url(QuotaLimit, "changelist")).content.decode()
    assert f'href="{PAGE}"' in content
    assert f'href="{PAGE}?project={rows[QuotaLimit].project_id}"' in content


def test_shows_the_detail_of_the_api(staff, rows, admin_api):
    project = rows[QuotaLimit].project_id
    response = staff.get(PAGE, {"project": project})
    assert response.status_code == 200
    detail = f"/compute/v2.1/os-quota-sets/{project}/detail"
    api = admin_api.get(detail, HTTP_OPENSTACK_API_VERSION="compute latest").json()["quota_set"]
    limits = limits_on(response)
    assert limits == {key: str(value["limit"]) for key, value in api.items() if key != "id"}
    in_use = {row[0].name: row[1] for row in response.context["rows"]}
    assert in_use == {key: value["in_use"] for key, value in api.items() if key != "id"}
    assert (limits["instances"], in_use["instances"]) == ("10", 1)


def test_a_project_by_name(staff, rows):
    project = Project.objects.get(id=rows[QuotaLimit].project_id)
    response = staff.get(PAGE, {"project": project.name})
    assert response.context["project_id"] == project.id and limits_on(response)["instances"] == "10"


def test_changed_limits_are_set_in_one_put(staff, rows, admin_api):
    project = rows[QuotaLimit].project_id
    data = {**limits_on(staff.get(PAGE, {"project": project})), "cores": "40", "ram": "-1"}
    response = staff.post(f"{PAGE}?project={project}", data)
    assert response.status_code == 302
    assert f"The quota set of project {project} was changed: cores 40, ram -1." in messages_of(response)
    quota = admin_api.get(f"/compute/v2.1/os-quota-sets/{project}").json()["quota_set"]
    assert (quota["cores"], quota["ram"], quota["instances"]) == (40, -1, 10)
    assert set(QuotaLimit.objects.values_list("resource", flat=True)) == {"instances", "cores", "ram"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"instances": "0"},
            "Quota limit 0 for instances must be greater than or equal to already used and reserved 1.",
        ),
        ({"cores": "-2"}, "Invalid input for field/attribute cores. Value: -2. It must be between -1 and 2147483647."),
        ({"cores": "many"}, "Invalid input for field/attribute cores. Value: 'many'. It must be an integer."),
    ],
    ids=["below-usage", "out-of-range", "not-a-number"],
)
def test_refused_in_novas_words(staff, rows, changes, message):
    project = rows[QuotaLimit].project_id
    before = table(QuotaLimit)
    data = {**limits_on(staff.get(PAGE, {"project": project})), "ram": "4096", **changes}
    response = staff.post(f"{PAGE}?project={project}", data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [message]
    assert table(QuotaLimit) == before  # the valid change (ram) went nowhere either


def test_force_sets_below_usage(staff, rows):
    project = rows[QuotaLimit].project_id
    data = {**limits_on(staff.get(PAGE, {"project": project})), "instances": "0", "force": "on"}
    assert staff.post(f"{PAGE}?project={project}", data).status_code == 302
    assert QuotaLimit.objects.get(project_id=project, resource="instances").hard_limit == 0


def test_an_unknown_project(staff, rows):
    response = staff.get(PAGE, {"project": "nope"})
    assert response.status_code == 200
    assert response.context["error"] == "Project ID nope is not a valid project."
    assert response.context["form"] is None
