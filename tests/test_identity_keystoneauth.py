"""keystoneauth, the library Horizon, the `openstack` command and Tempest's peers log in with,
against the live Identity API: an unscoped password login, the projects it may be rescoped to,
the token method rescoping it, and the scoped token's catalog, roles and is_domain parsed as
keystoneauth parses them (Horizon's login: openstack_auth's plugin then scoped token)."""

from __future__ import annotations

import pytest
from keystoneauth1 import exceptions, session
from keystoneauth1.access import AccessInfo
from keystoneauth1.identity import v3

from identity.models import Project, Role, RoleAssignment, User
from identity.services.own_endpoints import register_own_endpoints
from novasite.admin_support import operator_caller
from novasite.demo import seed_identity


@pytest.fixture
def auth_url(live_server, transactional_db) -> str:
    seed_identity(operator_caller("test"), "secret", "secret")
    register_own_endpoints(operator_caller("test"), "RegionOne")  # the catalog, as make run's seed writes it
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


def secret_of(access: AccessInfo) -> str:
    """The token id keystoneauth read from X-Subject-Token (always there on a 201)."""
    assert access.auth_token is not None
    return access.auth_token


def test_a_domain_scoped_token_as_horizons_multidomain_login_asks_for_it(auth_url):
    unscoped = v3.Password(auth_url=auth_url, username="admin", password="secret", user_domain_id="default")
    plain = session.Session(auth=unscoped)
    access = unscoped.get_access(plain)
    domains = plain.get(f"{auth_url}/auth/domains").json()["domains"]
    assert [(domain["id"], domain["name"]) for domain in domains] == [("default", "Default")]

    domain = v3.Token(auth_url=auth_url, token=secret_of(access), domain_name="Default")
    scoped = domain.get_access(session.Session(auth=domain))
    assert scoped.domain_scoped and not scoped.project_scoped
    assert (scoped.domain_id, scoped.domain_name) == ("default", "Default")
    assert sorted(scoped.role_names or []) == ["admin", "manager", "member", "reader"]
    assert scoped.expires == access.expires and scoped.audit_chain_id == access.audit_id
    identity = scoped.service_catalog.url_for(service_type="identity", interface="public")
    assert identity is not None and identity.endswith("/identity")
    # Cinder's URL names a project, so a domain-scoped catalog leaves its endpoint out (the
    # service stays, with no endpoint, as Keystone's get_v3_catalog keeps it).
    assert not scoped.service_catalog.get_endpoints(service_type="volumev3").get("volumev3")

    # Identity accepts it for what the admin role allows; services acting on a project do not.
    as_domain = session.Session(auth=domain)
    assert as_domain.get(f"{auth_url}/projects").status_code == 200
    compute = identity.replace("/identity", "/compute/v2.1")
    refused = as_domain.get(f"{compute}/servers", raise_exc=False)
    assert refused.status_code == 403, refused.text

    # A domain-scoped token rescopes to a project, keeping the chain.
    admin = Project.objects.get(name="admin")
    project = v3.Token(auth_url=auth_url, token=secret_of(scoped), project_id=admin.id)
    rescoped = project.get_access(session.Session(auth=project))
    assert rescoped.project_id == admin.id and rescoped.audit_chain_id == access.audit_id

    # Horizon's user, who holds no role on the domain, is refused the domain scope.
    horizon = v3.Password(auth_url=auth_url, username="horizon", password="secret", user_domain_name="Default")
    refused_scope = v3.Token(
        auth_url=auth_url, token=secret_of(horizon.get_access(session.Session(auth=horizon))), domain_id="default"
    )
    with pytest.raises(exceptions.Unauthorized):
        refused_scope.get_access(session.Session(auth=refused_scope))
