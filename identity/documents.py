"""Keystone v3 wire documents: entities with a `links.self`, collections with
`links: {self, previous, next}` (no paging, so previous and next are always null)."""

from __future__ import annotations

from django.http import HttpRequest

from .catalog import base_url
from .models import DEFAULT_DOMAIN_ID, DEFAULT_DOMAIN_NAME, Project, Role, User


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
    """A user as Keystone shows it: never its password; default_project_id and email only when set."""
    body = {
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


def assignment_document(request: HttpRequest, user_id: str, project_id: str, role_id: str) -> dict:
    """One entry of GET /v3/role_assignments."""
    path = f"/projects/{project_id}/users/{user_id}/roles/{role_id}"
    return {
        "role": {"id": role_id},
        "user": {"id": user_id},
        "scope": {"project": {"id": project_id}},
        "links": {"assignment": v3_url(request, path)},
    }
