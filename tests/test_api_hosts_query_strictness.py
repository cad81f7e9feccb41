"""From 2.102 Nova's query schemas refuse parameters they do not name; the host admin
resources that still took any until then (aggregates, availability zones)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db
COMPUTE = "/compute/v2.1"


@pytest.mark.parametrize(
    "path", ["/os-aggregates", "/os-aggregates/1", "/os-availability-zone", "/os-availability-zone/detail"]
)
def test_unknown_query_parameters_from_2_102(admin_api, settings, path):
    settings.COMPUTE_MAX_MICROVERSION = "2.104"
    before = admin_api.get(f"{COMPUTE}{path}", {"bogus": "1"}, HTTP_OPENSTACK_API_VERSION="compute 2.101")
    assert before.status_code in (200, 404)  # aggregate 1 may not exist; the parameter is not the reason
    refused = admin_api.get(f"{COMPUTE}{path}", {"bogus": "1"}, HTTP_OPENSTACK_API_VERSION="compute 2.102")
    assert refused.status_code == 400
    assert refused.json()["badRequest"]["message"] == "Additional properties are not allowed ('bogus' was unexpected)"
