"""Keypairs and server groups: what a project owns besides its servers (its quotas are
``quotas``). Each is created as the compute API creates it (its own body reader in
servers.api.validation, then servers.services), so the admin refuses an invalid key, a taken
name or a member over the group's quota in Nova's words. Nova changes neither in place: a
keypair or a group is replaced; group members are added and removed."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from core.principal import Caller
from core.views import max_microversion
from novasite.admin_support import ServiceLayerAdmin, ServiceLayerInline, in_project

from ..api.validation.groups import group_create
from ..api.validation.keypairs import keypair_create
from ..models import Keypair, ServerGroup, ServerGroupMember
from ..services import groups, keypairs


@admin.register(Keypair)
class KeypairAdmin(ServiceLayerAdmin[Keypair]):
    """Imported for a user as POST /os-keypairs imports it (the fingerprint is computed);
    deleted as DELETE removes it."""

    list_display = ("name", "user_id", "project_id", "type", "fingerprint", "created_at")
    list_filter = ("type",)
    search_fields = ("name", "user_id", "project_id", "fingerprint")
    ordering = ("user_id", "name")
    readonly_fields = ("project_id", "fingerprint", "created_at")

    def has_change_permission(self, request: HttpRequest, obj: Keypair | None = None) -> bool:
        return False

    def service_create(self, caller: Caller, form: Any) -> Keypair:
        data = form.cleaned_data
        body = {
            "name": data["name"],
            "public_key": data["public_key"],
            "type": data["type"],
            "user_id": data["user_id"],
        }
        keypair, _ = keypairs.create_keypair(caller, keypair_create(body, max_microversion()))
        return keypair

    def service_delete(self, caller: Caller, obj: Keypair) -> None:
        keypairs.delete_keypair(caller, obj.name, user_id=obj.user_id)


class ServerGroupMemberInline(ServiceLayerInline[ServerGroupMember, ServerGroup]):
    model = ServerGroupMember
    raw_id_fields = ("server",)

    def service_add(self, caller: Caller, parent: ServerGroup, row: ServerGroupMember) -> ServerGroupMember:
        return groups.add_member(caller, str(parent.uuid), str(row.server.uuid))

    def service_remove(self, caller: Caller, parent: ServerGroup, row: ServerGroupMember) -> None:
        groups.remove_member(caller, str(parent.uuid), str(row.server.uuid))


@admin.register(ServerGroup)
class ServerGroupAdmin(ServiceLayerAdmin[ServerGroup]):
    """Created in a project as POST /os-server-groups creates it in the token's project;
    afterwards only its members change."""

    list_display = ("name", "uuid", "policy", "member_count", "project_id", "user_id", "created_at")
    list_filter = ("policy",)
    search_fields = ("name", "=uuid", "project_id", "user_id")
    ordering = ("-created_at",)
    inlines = (ServerGroupMemberInline,)

    def get_readonly_fields(self, request: HttpRequest, obj: ServerGroup | None = None) -> tuple[str, ...]:
        fixed = ("name", "policy", "rules", "project_id") if obj else ()
        return (*fixed, "uuid", "user_id", "created_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ServerGroup]:
        return super().get_queryset(request).annotate(member_count=Count("members"))

    @admin.display(description="members", ordering="member_count")
    def member_count(self, obj: Any) -> int:
        count: int = obj.member_count
        return count

    def service_create(self, caller: Caller, form: Any) -> ServerGroup:
        data = form.cleaned_data
        body = {"name": data["name"], "policy": data["policy"], "rules": data.get("rules") or None}
        request = group_create({key: value for key, value in body.items() if value is not None}, max_microversion())
        return groups.create_group(in_project(caller, data["project_id"]), request)

    def service_update(self, caller: Caller, obj: ServerGroup, form: Any) -> ServerGroup:
        return obj  # nothing of the group itself changes; its members are the inline's

    def service_delete(self, caller: Caller, obj: ServerGroup) -> None:
        groups.delete_group(caller, str(obj.uuid))


@admin.register(ServerGroupMember)
class ServerGroupMemberAdmin(ServiceLayerAdmin[ServerGroupMember]):
    list_display = ("server", "group")
    list_select_related = ("server", "group")
    search_fields = ("group__name", "server__name", "=server__uuid")
    ordering = ("group__name", "server__name")
    raw_id_fields = ("server",)

    def has_change_permission(self, request: HttpRequest, obj: ServerGroupMember | None = None) -> bool:
        return False

    def service_create(self, caller: Caller, form: Any) -> ServerGroupMember:
        return groups.add_member(caller, str(form.cleaned_data["group"].uuid), str(form.cleaned_data["server"].uuid))

    def service_delete(self, caller: Caller, obj: ServerGroupMember) -> None:
        groups.remove_member(caller, str(obj.group.uuid), str(obj.server.uuid))
