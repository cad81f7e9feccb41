"""Identity (a Keystone v3 subset): projects, users, roles, role assignments and tokens."""

from __future__ import annotations

import uuid

from django.contrib.auth.hashers import check_password, make_password
from django.db import models


def hex_id() -> str:
    """Keystone-style identifier: a UUID4 without dashes."""
    return uuid.uuid4().hex


DEFAULT_DOMAIN_ID = "default"
DEFAULT_DOMAIN_NAME = "Default"


class Project(models.Model):
    """A tenant. Every server, keypair and quota belongs to exactly one project."""

    id = models.CharField(primary_key=True, max_length=64, default=hex_id)
    name = models.CharField(max_length=64)
    domain_id = models.CharField(max_length=64, default=DEFAULT_DOMAIN_ID)
    description = models.TextField(blank=True, default="")
    enabled = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["domain_id", "name"], name="project_unique_name")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(models.Model):
    """An API user. Passwords are stored with Django's password hasher, never in clear."""

    id = models.CharField(primary_key=True, max_length=64, default=hex_id)
    name = models.CharField(max_length=255)
    domain_id = models.CharField(max_length=64, default=DEFAULT_DOMAIN_ID)
    password = models.CharField(max_length=255)
    email = models.EmailField(blank=True, default="")
    description = models.TextField(blank=True, default="")
    enabled = models.BooleanField(default=True)
    default_project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["domain_id", "name"], name="user_unique_name")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def set_password(self, raw: str | None) -> None:
        """Store the hash of ``raw``; None makes the password unusable (no login until one is set)."""
        self.password = make_password(raw)

    def check_password(self, raw: str) -> bool:
        return check_password(raw, self.password)


class Role(models.Model):
    """A global role: those `keystone-manage bootstrap` creates (admin, manager, member, reader,
    service) and any an admin adds."""

    id = models.CharField(primary_key=True, max_length=64, default=hex_id)
    name = models.CharField(max_length=255, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RoleAssignment(models.Model):
    """A user holds a role on a project."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="assignments")
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="assignments")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "project", "role"], name="role_assignment_unique")]

    def __str__(self) -> str:
        return f"{self.user} {self.role} on {self.project}"


class DomainRoleAssignment(models.Model):
    """A user holds a role on a domain (only Default exists): what a domain-scoped token
    needs, as Keystone grants it with PUT /v3/domains/{d}/users/{u}/roles/{r}."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="domain_assignments")
    domain_id = models.CharField(max_length=64, default=DEFAULT_DOMAIN_ID)
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="domain_assignments")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "domain_id", "role"], name="domain_role_assignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} on domain {self.domain_id}"


def password_method() -> list[str]:
    """The methods of a token issued before tokens recorded them: password."""
    return ["password"]


class Token(models.Model):
    """A token: scoped to a project or (``domain_id``) to a domain, or unscoped (neither, no
    roles). Only a SHA-256 digest
    of the token is stored. ``roles`` are the effective role names on the project (implied
    roles included); ``methods`` the authentication methods it was obtained with;
    ``parent_audit_id`` the audit id of the token this one was rescoped from (the chain's
    first), as Keystone's ``audit_ids`` carries it."""

    digest = models.CharField(primary_key=True, max_length=64)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="tokens")
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.CASCADE, related_name="tokens")
    domain_id = models.CharField(max_length=64, blank=True, default="")
    roles = models.JSONField(default=list)
    methods = models.JSONField(default=password_method)
    audit_id = models.CharField(max_length=64)
    parent_audit_id = models.CharField(max_length=64, blank=True, default="")
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    revoked = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"token {self.audit_id} for {self.user_id}"


# --- the service catalog (Keystone's catalog tables: region, service, endpoint) -------------

INTERFACES = ("admin", "internal", "public")


class Region(models.Model):
    """A region of the cloud (Keystone's region table). A parent makes a hierarchy, never a
    circle; a region that holds endpoints, or whose children do, cannot be deleted."""

    id = models.CharField(primary_key=True, max_length=255)
    description = models.TextField(blank=True, default="")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.id


class CatalogService(models.Model):
    """A service of the catalog (Keystone's service table): its type (compute, identity, ...)
    and name; a disabled one, and its endpoints, are left out of every token's catalog."""

    id = models.CharField(primary_key=True, max_length=64, default=hex_id)
    type = models.CharField(max_length=255)
    name = models.CharField(max_length=255, blank=True, default="")
    description = models.TextField(blank=True, default="")
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["type", "id"]
        verbose_name = "catalog service"

    def __str__(self) -> str:
        return f"{self.name or self.id} ({self.type})"


class Endpoint(models.Model):
    """Where a service answers, in a region, for an interface. The URL may hold Keystone's
    substitutions (``$(project_id)s``, ``$(public_endpoint)s``: ``identity.catalog``)."""

    id = models.CharField(primary_key=True, max_length=64, default=hex_id)
    service = models.ForeignKey(CatalogService, on_delete=models.CASCADE, related_name="endpoints")
    # Keystone's region_id is ON DELETE RESTRICT: a region with endpoints stays.
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="endpoints")
    interface = models.CharField(max_length=8, choices=[(name, name) for name in INTERFACES])
    url = models.TextField()
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["service__type", "interface", "id"]

    def __str__(self) -> str:
        return f"{self.interface} {self.url}"
