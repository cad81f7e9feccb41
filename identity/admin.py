"""Admin for identity: projects, users, roles, role assignments and (read-only) tokens; the
catalog's regions, services and endpoints in ``admin_catalog``.

Every write is an identity.services call (novasite.admin_support). The form's values are read
by the identity API's own body readers (identity.api.parsing), so the admin refuses a value in
Keystone's words exactly as POST or PATCH would. Roles are created and deleted, never renamed
(the identity API has no role update); a grant is given or revoked, never edited. Tokens are
issued and revoked by the identity API only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.hashers import identify_hasher
from django.db.models import ForeignKey
from django.http import HttpRequest

from core.principal import Caller
from novasite.admin_support import ReadOnlyMixin, ServiceLayerAdmin, ServiceLayerForm

from . import admin_catalog
from .api import parsing
from .models import DEFAULT_DOMAIN_ID, DomainRoleAssignment, Project, Role, RoleAssignment, Token, User
from .services import domain_grants, projects, roles, users


def request_body(form: Any, fields: tuple[str, ...], *, changed_only: bool) -> dict[str, Any]:
    """The form's ``fields`` (only those the operator changed, for an update) as the JSON
    attributes a Keystone request would carry."""
    names = [name for name in fields if not changed_only or name in form.changed_data]
    return {name: form.cleaned_data[name] for name in names}


@admin.register(Project)
class ProjectAdmin(ServiceLayerAdmin[Project]):
    service = "/identity"
    list_display = ("name", "id", "domain_id", "enabled")
    list_filter = ("enabled", "domain_id")
    search_fields = ("name", "id", "description")
    ordering = ("name",)
    readonly_fields = ("id",)

    FIELDS = ("name", "domain_id", "description", "enabled")

    def service_create(self, caller: Caller, form: Any) -> Project:
        body = request_body(form, self.FIELDS, changed_only=False)
        return projects.create_project(caller, parsing.new_project({"project": body}))

    def service_update(self, caller: Caller, obj: Project, form: Any) -> Project:
        body = request_body(form, self.FIELDS, changed_only=True)
        return projects.update_project(caller, obj.pk, parsing.project_changes({"project": body}))

    def service_delete(self, caller: Caller, obj: Project) -> None:
        projects.delete_project(caller, obj.pk)


class UserForm(ServiceLayerForm):
    """The stored hash is never edited; an optional new password replaces it."""

    new_password = forms.CharField(
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave empty to keep the current password.",
    )

    class Meta:
        model = User
        fields = ("name", "domain_id", "email", "description", "enabled", "default_project", "new_password")


def user_body(form: Any, *, changed_only: bool) -> dict[str, Any]:
    """The user attributes of a POST or PATCH /v3/users body; a password only when one is given."""
    body = request_body(form, ("name", "domain_id", "email", "description", "enabled"), changed_only=changed_only)
    if not changed_only or "default_project" in form.changed_data:
        project = form.cleaned_data.get("default_project")
        body["default_project_id"] = project.pk if project else None
    if form.cleaned_data.get("new_password"):
        body["password"] = form.cleaned_data["new_password"]
    return body


@admin.register(User)
class UserAdmin(ServiceLayerAdmin[User]):
    service = "/identity"
    form = UserForm
    list_display = ("name", "id", "domain_id", "email", "enabled", "default_project")
    list_filter = ("enabled", "domain_id")
    list_select_related = ("default_project",)
    search_fields = ("name", "id", "email")
    ordering = ("name",)
    autocomplete_fields = ("default_project",)
    readonly_fields = ("id", "password_summary")

    @admin.display(description="password")
    def password_summary(self, obj: User) -> str:
        """The hasher and its parameters, with salt and hash masked (as Django's own admin)."""
        if not obj.password or obj.password.startswith("!"):
            return "No password set."
        try:
            hasher = identify_hasher(obj.password)
        except ValueError:
            return "Invalid password format or unknown hashing algorithm."
        return ", ".join(f"{k}: {v}" for k, v in hasher.safe_summary(obj.password).items())

    def service_create(self, caller: Caller, form: Any) -> User:
        return users.create_user(caller, parsing.new_user({"user": user_body(form, changed_only=False)}))

    def service_update(self, caller: Caller, obj: User, form: Any) -> User:
        changes = parsing.user_changes({"user": user_body(form, changed_only=True)})
        return users.update_user(caller, obj.pk, changes)

    def service_delete(self, caller: Caller, obj: User) -> None:
        users.delete_user(caller, obj.pk)


@admin.register(Role)
class RoleAdmin(ServiceLayerAdmin[Role]):
    service = "/identity"
    list_display = ("name", "id")
    search_fields = ("name", "id")
    ordering = ("name",)
    readonly_fields = ("id",)

    def has_change_permission(self, request: HttpRequest, obj: Role | None = None) -> bool:
        return False

    def service_create(self, caller: Caller, form: Any) -> Role:
        return roles.create_role(caller, parsing.role_name({"role": {"name": form.cleaned_data["name"]}}))

    def service_delete(self, caller: Caller, obj: Role) -> None:
        roles.delete_role(caller, obj.pk)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ServiceLayerAdmin[RoleAssignment]):
    """A grant (PUT /v3/projects/{p}/users/{u}/roles/{r}): given or revoked, never edited."""

    service = "/identity"
    list_display = ("user", "role", "project")
    list_filter = ("role",)
    list_select_related = ("user", "project", "role")
    search_fields = ("user__name", "project__name", "role__name")
    ordering = ("user__name", "project__name", "role__name")
    autocomplete_fields = ("user", "project", "role")

    def has_change_permission(self, request: HttpRequest, obj: RoleAssignment | None = None) -> bool:
        return False

    def formfield_for_foreignkey(self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any) -> Any:
        """An unknown project, user or role is Keystone's 404 sentence."""
        kwargs.setdefault("error_messages", {"invalid_choice": f"Could not find {db_field.name}: %(value)s."})
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def service_create(self, caller: Caller, form: Any) -> RoleAssignment:
        project, user, role = (form.cleaned_data[name] for name in ("project", "user", "role"))
        roles.create_grant(caller, project.pk, user.pk, role.pk)
        return RoleAssignment.objects.get(project=project, user=user, role=role)

    def service_delete(self, caller: Caller, obj: RoleAssignment) -> None:
        roles.revoke_grant(caller, obj.project_id, obj.user_id, obj.role_id)


@admin.register(DomainRoleAssignment)
class DomainRoleAssignmentAdmin(ServiceLayerAdmin[DomainRoleAssignment]):
    """A grant on the Default domain (PUT /v3/domains/{d}/users/{u}/roles/{r}): given or
    revoked, never edited."""

    service = "/identity"
    list_display = ("user", "role", "domain_id")
    list_filter = ("role",)
    list_select_related = ("user", "role")
    search_fields = ("user__name", "role__name")
    ordering = ("user__name", "role__name")
    autocomplete_fields = ("user", "role")
    fields = ("user", "role")

    def has_change_permission(self, request: HttpRequest, obj: DomainRoleAssignment | None = None) -> bool:
        return False

    def service_create(self, caller: Caller, form: Any) -> DomainRoleAssignment:
        user, role = form.cleaned_data["user"], form.cleaned_data["role"]
        domain_grants.create_domain_grant(caller, DEFAULT_DOMAIN_ID, user.pk, role.pk)
        return DomainRoleAssignment.objects.get(domain_id=DEFAULT_DOMAIN_ID, user=user, role=role)

    def service_delete(self, caller: Caller, obj: DomainRoleAssignment) -> None:
        domain_grants.revoke_domain_grant(caller, obj.domain_id, obj.user_id, obj.role_id)


@admin.register(Token)
class TokenAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Tokens are issued and revoked by the identity API only; the digest is never shown. An
    unscoped token has no project."""

    list_display = ("audit_id", "user", "project", "methods", "issued_at", "expires_at", "revoked")
    list_filter = ("revoked",)
    list_select_related = ("user", "project")
    search_fields = ("audit_id", "user__name", "project__name")
    ordering = ("-issued_at",)
    date_hierarchy = "issued_at"
    fields = (
        "user",
        "project",
        "roles",
        "methods",
        "audit_id",
        "parent_audit_id",
        "issued_at",
        "expires_at",
        "revoked",
    )
    readonly_fields = fields


# The catalog's regions, services and endpoints register themselves on import.
__all__ = ["admin_catalog"]
