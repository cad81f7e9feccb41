"""keystoneauth, the library Horizon, the `openstack` command and Tempest's peers log in with,
against the live Identity API: an unscoped password login, the projects it may be rescoped to,
the token method rescoping it, and the scoped token's catalog, roles and is_domain parsed as
keystoneauth parses them (Horizon's login: openstack_auth's plugin then scoped token)."""

from __future__ import annotations

import pytest
from keystoneauth1 import exceptions, session
from keystoneauth1.identity import v3

from identity.models import Project, Role, RoleAssignment, User
from novasite.admin_support import operator_caller
from novasite.demo import seed_identity


@pytest.fixture
def auth_url(live_server, transactional_db) -> str:
    seed_identity(operator_caller("test"), "secret", "secret")
    user = User(name="horizon")  # no default project: a password login with no scope is unscoped
    user.set_password("secret")
    user.save()
    for name in ("demo", "admin"):
        RoleAssignment.objects.create(
            user=user, project=Project.objects.get(name=name), role=Role.objects.get(name="member")
        )
    return f"{live_server.url}/identity/v3"


def test_unscoped_login_then_rescoping_as_horizon_does(auth_url):
    unscoped = v3.Password(auth_url=auth_url, username="horizon", password="secret", user_domain_name="Default")
    plain = session.Session(auth=unscoped)
    access = unscoped.get_access(plain)
    assert not access.project_scoped and not access.domain_scoped and access.user_id
    assert not access.scoped and access.role_names == [] and not access.has_service_catalog()

    listed = plain.get(f"{auth_url}/auth/projects").json()["projects"]
    assert sorted(project["name"] for project in listed) == ["admin", "demo"]
    assert plain.get(f"{auth_url}/auth/domains").json()["domains"] == []

    demo = Project.objects.get(name="demo")
    assert access.auth_token is not None
    scoped = v3.Token(auth_url=auth_url, token=access.auth_token, project_id=demo.id)
    rescoped = scoped.get_access(session.Session(auth=scoped))
    assert rescoped.project_id == demo.id and rescoped.project_name == "demo"
    assert rescoped.project_domain_id == "default" and rescoped.project_is_domain is False
    assert sorted(rescoped.role_names or []) == ["member", "reader"]
    assert rescoped.expires == access.expires
    assert rescoped.audit_chain_id == access.audit_id
    compute = rescoped.service_catalog.url_for(service_type="compute", interface="public", region_name="RegionOne")
    assert compute is not None and compute.endswith("/compute/v2.1")
    servers = session.Session(auth=scoped).get(f"{compute}/servers")
    assert servers.status_code == 200 and servers.json() == {"servers": []}


def test_password_login_by_user_id_with_a_project(auth_url):
    user = User.objects.get(name="horizon")
    auth = v3.Password(
        auth_url=auth_url, user_id=user.id, password="secret", project_name="demo", project_domain_id="default"
    )
    access = auth.get_access(session.Session(auth=auth))
    assert access.project_name == "demo" and access.username == "horizon"
    wrong = v3.Password(
        auth_url=auth_url, user_id=user.id, password="nope", project_name="demo", project_domain_id="default"
    )
    with pytest.raises(exceptions.Unauthorized):
        wrong.get_access(session.Session(auth=wrong))
