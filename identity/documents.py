"""Keystone v3 wire documents: entities with a `links.self`, collections with
`links: {self, previous, next}` (no paging, so previous and next are always null)."""

from __future__ import annotations

from django.http import HttpRequest

from core.timestamps import micro_z

from .catalog import base_url, catalog
from .models import DEFAULT_DOMAIN_ID, DEFAULT_DOMAIN_NAME, CatalogService, Endpoint, Project, Region, Role, User
from .tokens import Principal

DEFAULT_DOMAIN = {"id": DEFAULT_DOMAIN_ID, "name": DEFAULT_DOMAIN_NAME}


def v3_url(request: HttpRequest, path: str) -> str:
    """Absolute URL of `path` (relative to /identity/v3, leading slash included)."""
    return f"{base_url(request)}/identity/v3{path}"


def collection_links(request: HttpRequest) -> dict:
    """The `links` of a list response: the request's own URL, no paging."""
    query = request.META.get("QUERY_STRING", "")
    self_url = f"{base_url(request)}{request.path}" + (f"?{query}" if query else "")
    return {"self": self_url, "previous": None, "next": None}


def domain_document(request: HttpRequest) -> dict:
    """The one domain novasite knows: Default."""
    return {
        "id": DEFAULT_DOMAIN_ID,
        "name": DEFAULT_DOMAIN_NAME,
        "description": "The default domain",
        "enabled": True,
        "tags": [],
        "options": {},
        "links": {"self": v3_url(request, f"/domains/{DEFAULT_DOMAIN_ID}")},
    }


def project_document(request: HttpRequest, project: Project) -> dict:
    """A project as Keystone shows it (its parent is its domain)."""
    return {
        "id": project.id,
        "name": project.name,
        "domain_id": project.domain_id,
        "description": project.description,
        "enabled": project.enabled,
        "parent_id": project.domain_id,
        "is_domain": False,
        "tags": [],
        "options": {},
        "links": {"self": v3_url(request, f"/projects/{project.id}")},
    }


def user_document(request: HttpRequest, user: User) -> dict:
    """A user as Keystone shows it: never its password; default_project_id, email and
    description (Keystone keeps the last two among a user's extra attributes) only when set."""
    body: dict = {
        "id": user.id,
        "name": user.name,
        "domain_id": user.domain_id,
        "enabled": user.enabled,
        "password_expires_at": None,
        "options": {},
        "links": {"self": v3_url(request, f"/users/{user.id}")},
    }
    if user.default_project_id:
        body["default_project_id"] = user.default_project_id
    if user.email:
        body["email"] = user.email
    if user.description:
        body["description"] = user.description
    return body


def role_document(request: HttpRequest, role: Role) -> dict:
    """A (global) role as Keystone shows it."""
    return {
        "id": role.id,
        "name": role.name,
        "domain_id": None,
        "description": None,
        "options": {},
        "links": {"self": v3_url(request, f"/roles/{role.id}")},
    }


def token_document(request: HttpRequest, principal: Principal, *, with_catalog: bool = True) -> dict:
    """A token as Keystone renders it on issue and validation (keystone/common/render_token.py):
    a project-scoped one with its project and ``is_domain`` (false: no project acts as a domain
    here), a domain-scoped one with its domain; either with its roles (implied ones included)
    and, unless ``with_catalog`` is off (?nocatalog), the catalog (a domain-scoped one without
    the services whose URL names a project); an unscoped one with none of those."""
    body: dict = {
        "methods": list(principal.methods),
        "user": {
            "id": principal.user_id,
            "name": principal.user_name,
            "domain": DEFAULT_DOMAIN,
            "password_expires_at": None,
        },
        "audit_ids": principal.audit_ids,
        "expires_at": micro_z(principal.expires_at),
        "issued_at": micro_z(principal.issued_at),
    }
    if principal.scoped:
        role_ids = dict(Role.objects.filter(name__in=principal.roles).values_list("name", "id"))
        if principal.project_id:
            body["project"] = {"id": principal.project_id, "name": principal.project_name, "domain": DEFAULT_DOMAIN}
            body["is_domain"] = False
        else:
            body["domain"] = {"id": principal.domain_id, "name": principal.domain_name}
        body["roles"] = [{"id": role_ids[name], "name": name} for name in principal.roles if name in role_ids]
        if with_catalog:
            body["catalog"] = catalog(request, project_id=principal.project_id, user_id=principal.user_id)
    return {"token": body}


def assignment_document(request: HttpRequest, user_id: str, project_id: str, role_id: str) -> dict:
    """One entry of GET /v3/role_assignments."""
    path = f"/projects/{project_id}/users/{user_id}/roles/{role_id}"
    return {
        "role": {"id": role_id},
        "user": {"id": user_id},
        "scope": {"project": {"id": project_id}},
        "links": {"assignment": v3_url(request, path)},
    }


def region_document(request: HttpRequest, region: Region) -> dict:
    """A region as Keystone shows it."""
    return {
        "id": region.id,
        "description": region.description,
        "parent_region_id": region.parent_id,
        "links": {"self": v3_url(request, f"/regions/{region.id}")},
    }


def service_document(request: HttpRequest, service: CatalogService) -> dict:
    """A catalog service as Keystone shows it (a description only when one was given)."""
    body: dict = {
        "id": service.id,
        "type": service.type,
        "name": service.name,
        "enabled": service.enabled,
        "links": {"self": v3_url(request, f"/services/{service.id}")},
    }
    if service.description:
        body["description"] = service.description
    return body


def endpoint_document(request: HttpRequest, endpoint: Endpoint) -> dict:
    """An endpoint as Keystone shows it: its URL as registered (substitutions unformatted),
    ``region`` repeating ``region_id`` for v2-era clients."""
    return {
        "id": endpoint.id,
        "interface": endpoint.interface,
        "region_id": endpoint.region_id,
        "region": endpoint.region_id,
        "service_id": endpoint.service_id,
        "url": endpoint.url,
        "enabled": endpoint.enabled,
        "links": {"self": v3_url(request, f"/endpoints/{endpoint.id}")},
    }
