"""Admin for identity: projects, users, roles, role assignments and (read-only) tokens."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth.hashers import identify_hasher, make_password
from django.http import HttpRequest

from .models import Project, Role, RoleAssignment, Token, User


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "id", "domain_id", "enabled")
    list_filter = ("enabled", "domain_id")
    search_fields = ("name", "id", "description")
    ordering = ("name",)
    readonly_fields = ("id",)


class UserForm(forms.ModelForm):
    """The stored hash is never edited; an optional new password replaces it."""

    new_password = forms.CharField(
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave empty to keep the current password.",
    )

    class Meta:
        model = User
        fields = ("name", "domain_id", "email", "enabled", "default_project", "new_password")


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
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

    def save_model(self, request: HttpRequest, obj: User, form: forms.ModelForm, change: bool) -> None:
        if form.cleaned_data.get("new_password"):
            obj.set_password(form.cleaned_data["new_password"])
        elif not obj.password:
            obj.password = make_password(None)  # unusable until an operator sets one
        super().save_model(request, obj, form, change)


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("name", "id")
    search_fields = ("name", "id")
    ordering = ("name",)
    readonly_fields = ("id",)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "project")
    list_filter = ("role",)
    list_select_related = ("user", "project", "role")
    search_fields = ("user__name", "project__name", "role__name")
    ordering = ("user__name", "project__name", "role__name")
    autocomplete_fields = ("user", "project", "role")


@admin.register(Token)
class TokenAdmin(admin.ModelAdmin):
    """Tokens are issued and revoked by the identity API only; the digest is never shown."""

    list_display = ("audit_id", "user", "project", "issued_at", "expires_at", "revoked")
    list_filter = ("revoked",)
    list_select_related = ("user", "project")
    search_fields = ("audit_id", "user__name", "project__name")
    ordering = ("-issued_at",)
    date_hierarchy = "issued_at"
    fields = ("user", "project", "roles", "audit_id", "issued_at", "expires_at", "revoked")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Token | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Token | None = None) -> bool:
        return False
