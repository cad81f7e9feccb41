"""The demo seed of a region that shares another region's identity (IDENTITY_URL set):
what `manage.py seed_demo` does there instead of ``novasite.demo.seed`` (ARCHITECTURE.md,
"Regions").

At the shared identity service, through its API as its admin (ADMIN_PASSWORD), as an
operator would with ``openstack``: this region's service user (IDENTITY_SERVICE_USER, admin
on IDENTITY_SERVICE_PROJECT: what validating tokens needs), the region, and one public
endpoint per service in it with literal URLs (PUBLIC_ENDPOINT; its identity endpoint is the
shared identity service's URL, never this control plane's address).
Here, through the service layer like the first region's seed: shadows of the admin and demo
projects (their ids are the identity service's), flavors, this region's zones and hosts, the
provider network, cirros, and devstack's public/private/router1. Idempotent."""

from __future__ import annotations

import os

from django.conf import settings
from django.db import transaction

from core.exceptions import ServiceError
from identity import remote
from identity.remote_tokens import shadow_project
from novasite import demo
from novasite.admin_support import operator_caller
from novasite.demo_l3 import seed_l3

#: This region's zones and hosts (compute workers r2-compute1, r2-compute2: a host name is
#: the region's own, a compute queue of its own broker).
ZONES = {"r2-az1": ("r2-compute1",), "r2-az2": ("r2-compute2",)}

#: type, name, path under PUBLIC_ENDPOINT (as identity.services.own_endpoints; identity is the
#: shared one's, ``identity_root``).
SERVICES = (
    ("compute", "nova", "/compute/v2.1"),
    ("image", "glance", "/image"),
    ("network", "neutron", "/network"),
    ("placement", "placement", "/placement"),
    ("volumev3", "cinderv3", "/volume/v3/$(project_id)s"),
)


class RegistrationFailed(ServiceError):
    """The shared identity service refused a step of the registration."""


class Keystone:
    """The shared identity service as its admin: a few calls of its API."""

    def __init__(self, password: str) -> None:
        answer = remote.issue("admin", password, "admin")
        if answer.status != 201:
            raise RegistrationFailed(f"admin cannot log in at {settings.IDENTITY_URL}: {answer.status} {answer.body}")
        self.token = answer.headers["X-Subject-Token"]
        self.admin_project = answer.body["token"]["project"]

    def ask(self, method: str, path: str, body: dict | None = None, ok: tuple[int, ...] = (200, 201, 204)) -> dict:
        """The answer's body, or RegistrationFailed naming the call."""
        answer = remote.call(method, path, token=self.token, body=body)
        if answer.status not in ok:
            raise RegistrationFailed(f"{method} {settings.IDENTITY_URL}{path}: {answer.status} {answer.body}")
        return answer.body or {}

    def first(self, collection: str, query: str) -> dict | None:
        """The first row of ``GET /v3/<collection>?<query>``."""
        rows = self.ask("GET", f"/{collection}?{query}")[collection]
        return rows[0] if rows else None


def identity_root() -> str:
    """The shared identity service's root (IDENTITY_URL without its /v3): this region's
    identity endpoint too, so that a client working in this region (``--os-region-name``)
    still finds Keystone. Never this control plane's own address: it serves no identity."""
    url = settings.IDENTITY_URL
    return url[: -len("/v3")] if url.endswith("/v3") else url


def register(keystone: Keystone, region: str, public_endpoint: str) -> None:
    """The region, its endpoints (literal URLs under ``public_endpoint``) and this region's
    service user, at the shared identity service."""
    if remote.call("GET", f"/regions/{region}", token=keystone.token).status == 404:
        keystone.ask("POST", "/regions", {"region": {"id": region, "description": f"{region} (novasite)"}})
    wanted = [(kind, name, public_endpoint.rstrip("/") + path) for kind, name, path in SERVICES]
    for service_type, name, url in [("identity", "keystone", identity_root()), *wanted]:
        service = keystone.first("services", f"type={service_type}")
        if service is None:
            service = keystone.ask("POST", "/services", {"service": {"type": service_type, "name": name}})["service"]
        query = f"service_id={service['id']}&region_id={region}&interface=public"
        endpoint = keystone.first("endpoints", query)
        if endpoint is None:
            row = {"service_id": service["id"], "interface": "public", "url": url, "region_id": region}
            keystone.ask("POST", "/endpoints", {"endpoint": row})
        elif endpoint["url"] != url or not endpoint["enabled"]:
            keystone.ask("PATCH", f"/endpoints/{endpoint['id']}", {"endpoint": {"url": url, "enabled": True}})
    _service_user(keystone)


def _service_user(keystone: Keystone) -> None:
    """IDENTITY_SERVICE_USER with IDENTITY_SERVICE_PASSWORD, admin and service on
    IDENTITY_SERVICE_PROJECT (devstack's nova user on its service project)."""
    project = keystone.first("projects", f"name={settings.IDENTITY_SERVICE_PROJECT}")
    if project is None:
        body = {"project": {"name": settings.IDENTITY_SERVICE_PROJECT, "domain_id": "default"}}
        project = keystone.ask("POST", "/projects", body)["project"]
    user = keystone.first("users", f"name={settings.IDENTITY_SERVICE_USER}")
    fields = {"password": settings.IDENTITY_SERVICE_PASSWORD, "default_project_id": project["id"]}
    if user is None:
        user = keystone.ask("POST", "/users", {"user": {"name": settings.IDENTITY_SERVICE_USER, **fields}})["user"]
    elif (
        remote.issue(settings.IDENTITY_SERVICE_USER, settings.IDENTITY_SERVICE_PASSWORD, project["name"]).status != 201
    ):
        keystone.ask("PATCH", f"/users/{user['id']}", {"user": fields})
    for role_name in ("admin", "service"):
        role = keystone.first("roles", f"name={role_name}")
        if role is None:
            raise RegistrationFailed(f"no role {role_name!r} at {settings.IDENTITY_URL}")
        keystone.ask("PUT", f"/projects/{project['id']}/users/{user['id']}/roles/{role['id']}")


def seed_region(admin_password: str | None = None) -> None:
    """Register this region at the shared identity service and seed its own rows."""
    keystone = Keystone(admin_password or os.environ.get("ADMIN_PASSWORD", "secret"))
    public_endpoint = settings.PUBLIC_ENDPOINT
    if not public_endpoint:
        raise RegistrationFailed("PUBLIC_ENDPOINT must name this region's address (its endpoints are literal URLs)")
    register(keystone, settings.REGION_NAME, public_endpoint)
    demo_project = keystone.first("projects", "name=demo")
    caller = operator_caller("seed_demo")
    with transaction.atomic():
        admin_project = shadow_project(keystone.admin_project["id"], keystone.admin_project["name"])
        if demo_project is not None:
            shadow_project(demo_project["id"], demo_project["name"])
        demo.seed_flavors(caller)
        for zone, hosts in ZONES.items():
            demo.seed_zone(caller, zone, hosts)
        demo.seed_network(caller, admin_project)
    demo.seed_image(caller, admin_project)
    if demo_project is not None:
        seed_l3(caller)
