"""Admin for servers and their flavors, keypairs, groups, quotas and audit records.

State, placement and audit fields belong to the workflows (servers.actions and the workers);
the admin shows them read-only and never creates or deletes servers itself."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from .models import (
    Flavor,
    FlavorAccess,
    InstanceAction,
    InstanceActionEvent,
    Keypair,
    Migration,
    QuotaLimit,
    QuotaUsage,
    Server,
    ServerFault,
    ServerGroup,
    ServerGroupMember,
    VolumeAttachment,
)
from .states import PowerState, status_for


class ReadOnlyMixin:
    """Audit and accounting records: viewable, never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ReadOnlyTabularInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True


class ServerFaultInline(ReadOnlyTabularInline):
    model = ServerFault
    fields = ("created_at", "code", "message", "host")
    readonly_fields = fields


class InstanceActionInline(ReadOnlyTabularInline):
    model = InstanceAction
    fields = ("action", "request_id", "user_id", "start_time", "finish_time", "message")
    readonly_fields = fields


@admin.register(Server)
class ServerAdmin(admin.ModelAdmin):
    """Servers are created through the API and deleted through the service layer."""

    list_display = (
        "name",
        "uuid",
        "status",
        "vm_state",
        "task_state",
        "power",
        "flavor_name",
        "host",
        "availability_zone",
        "project_id",
        "locked",
        "deleted",
        "created_at",
    )
    list_filter = ("vm_state", "task_state", "power_state", "deleted", "locked", "availability_zone")
    search_fields = ("name", "hostname", "=uuid", "project_id", "user_id", "host", "node")
    ordering = ("-created_at", "-id")
    date_hierarchy = "created_at"
    readonly_fields = (
        "uuid",
        "status",
        "vm_state",
        "task_state",
        "power_state",
        "host",
        "node",
        "availability_zone",
        "flavor",
        "project_id",
        "user_id",
        "locked",
        "locked_by",
        "locked_reason",
        "launched_at",
        "terminated_at",
        "deleted",
        "deleted_at",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("name", "description", "hostname", "uuid", "project_id", "user_id", "metadata")}),
        (
            "State",
            {
                "fields": (
                    "status",
                    "vm_state",
                    "task_state",
                    "power_state",
                    "locked",
                    "locked_by",
                    "locked_reason",
                    "deleted",
                    "deleted_at",
                )
            },
        ),
        ("Placement", {"fields": ("flavor", "host", "node", "availability_zone", "requested_availability_zone")}),
        (
            "Boot request",
            {
                "classes": ("collapse",),
                "fields": (
                    "image_ref",
                    "key_name",
                    "key_data",
                    "user_data",
                    "config_drive",
                    "requested_networks",
                    "reservation_id",
                    "launch_index",
                    "access_ip_v4",
                    "access_ip_v6",
                ),
            },
        ),
        ("Times", {"fields": ("launched_at", "terminated_at", "created_at", "updated_at")}),
    )
    inlines = (ServerFaultInline, InstanceActionInline)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Server | None = None) -> bool:
        return False

    @admin.display(description="status")
    def status(self, obj: Server) -> str:
        return status_for(obj.vm_state, obj.task_state)

    @admin.display(description="power", ordering="power_state")
    def power(self, obj: Server) -> str:
        return PowerState.NAMES.get(obj.power_state, str(obj.power_state))

    @admin.display(description="flavor")
    def flavor_name(self, obj: Server) -> str:
        return (obj.flavor or {}).get("name", "")


@admin.register(ServerFault)
class ServerFaultAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("server", "code", "message", "host", "created_at")
    list_filter = ("code",)
    list_select_related = ("server",)
    search_fields = ("message", "host", "server__name", "=server__uuid")
    ordering = ("-created_at", "-id")


class FlavorAccessInline(admin.TabularInline):
    model = FlavorAccess
    extra = 1


@admin.register(Flavor)
class FlavorAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "flavorid",
        "vcpus",
        "memory_mb",
        "root_gb",
        "ephemeral_gb",
        "swap",
        "is_public",
        "disabled",
    )
    list_filter = ("is_public", "disabled")
    search_fields = ("name", "flavorid", "description")
    ordering = ("memory_mb", "flavorid")
    readonly_fields = ("created_at",)
    inlines = (FlavorAccessInline,)


@admin.register(FlavorAccess)
class FlavorAccessAdmin(admin.ModelAdmin):
    list_display = ("flavor", "project_id")
    list_select_related = ("flavor",)
    search_fields = ("flavor__name", "flavor__flavorid", "project_id")
    ordering = ("flavor__name", "project_id")


@admin.register(Keypair)
class KeypairAdmin(admin.ModelAdmin):
    list_display = ("name", "user_id", "project_id", "type", "fingerprint", "created_at")
    list_filter = ("type",)
    search_fields = ("name", "user_id", "project_id", "fingerprint")
    ordering = ("user_id", "name")
    readonly_fields = ("created_at",)


class ServerGroupMemberInline(admin.TabularInline):
    model = ServerGroupMember
    extra = 0
    raw_id_fields = ("server",)


@admin.register(ServerGroup)
class ServerGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "uuid", "policy", "member_count", "project_id", "user_id", "created_at")
    list_filter = ("policy",)
    search_fields = ("name", "=uuid", "project_id", "user_id")
    ordering = ("-created_at",)
    readonly_fields = ("uuid", "created_at")
    inlines = (ServerGroupMemberInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(member_count=Count("members"))

    @admin.display(description="members", ordering="member_count")
    def member_count(self, obj: ServerGroup) -> int:
        return obj.member_count


@admin.register(ServerGroupMember)
class ServerGroupMemberAdmin(admin.ModelAdmin):
    list_display = ("server", "group")
    list_select_related = ("server", "group")
    search_fields = ("group__name", "server__name", "=server__uuid")
    ordering = ("group__name", "server__name")
    raw_id_fields = ("server",)


@admin.register(QuotaLimit)
class QuotaLimitAdmin(admin.ModelAdmin):
    """A project's own limits; -1 means unlimited."""

    list_display = ("project_id", "resource", "hard_limit")
    list_filter = ("resource",)
    search_fields = ("project_id", "resource")
    ordering = ("project_id", "resource")


@admin.register(QuotaUsage)
class QuotaUsageAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """in_use is counted only by servers.quotas, under a row lock."""

    list_display = ("project_id", "resource", "in_use", "updated_at")
    list_filter = ("resource",)
    search_fields = ("project_id", "resource")
    ordering = ("project_id", "resource")


class InstanceActionEventInline(ReadOnlyTabularInline):
    model = InstanceActionEvent
    fields = ("event", "result", "host", "start_time", "finish_time")
    readonly_fields = fields


@admin.register(InstanceAction)
class InstanceActionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("action", "server", "request_id", "user_id", "project_id", "start_time", "finish_time", "message")
    list_filter = ("action", "message")
    list_select_related = ("server",)
    search_fields = ("request_id", "server__name", "=server__uuid", "user_id", "project_id")
    ordering = ("-start_time", "-id")
    date_hierarchy = "start_time"
    inlines = (InstanceActionEventInline,)


@admin.register(InstanceActionEvent)
class InstanceActionEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("event", "action", "server", "result", "host", "start_time", "finish_time")
    list_filter = ("result", "event")
    list_select_related = ("action__server",)
    search_fields = ("event", "host", "action__request_id", "=action__server__uuid")
    ordering = ("-start_time", "-id")

    @admin.display(description="server", ordering="action__server__name")
    def server(self, obj: InstanceActionEvent) -> Server:
        return obj.action.server


@admin.register(Migration)
class MigrationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "uuid",
        "server",
        "migration_type",
        "status",
        "source_compute",
        "dest_compute",
        "created_at",
    )
    list_filter = ("migration_type", "status")
    list_select_related = ("server",)
    search_fields = ("=uuid", "server__name", "=server__uuid", "source_compute", "dest_compute")
    ordering = ("-created_at", "-id")


@admin.register(VolumeAttachment)
class VolumeAttachmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Attachments change only through the attach and detach workflows."""

    list_display = ("volume_id", "server", "device", "status", "delete_on_termination", "created_at")
    list_filter = ("status",)
    search_fields = ("=volume_id", "server__name", "=server__uuid")
    list_select_related = ("server",)
