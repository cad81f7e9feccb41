"""The records workflows write about servers (faults, tags, quota usage, instance actions and
their events, migrations, volume attachments): viewable and searchable, never changed here."""

from __future__ import annotations

from django.contrib import admin

from novasite.admin_support import ReadOnlyMixin

from ..models import (
    InstanceAction,
    InstanceActionEvent,
    Migration,
    QuotaUsage,
    Server,
    ServerFault,
    ServerTag,
    VolumeAttachment,
)


class ReadOnlyTabularInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(ServerFault)
class ServerFaultAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("server", "code", "message", "host", "created_at")
    list_filter = ("code",)
    list_select_related = ("server",)
    search_fields = ("message", "host", "server__name", "=server__uuid")
    ordering = ("-created_at", "-id")


@admin.register(ServerTag)
class ServerTagAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Tags are set through the API (PUT /servers/{id}/tags), which checks the server's state."""

    list_display = ("tag", "server")
    list_select_related = ("server",)
    search_fields = ("tag", "server__name", "=server__uuid")


@admin.register(QuotaUsage)
class QuotaUsageAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """in_use is counted only by servers.services.quotas, under a row lock."""

    list_display = ("project_id", "resource", "in_use", "updated_at")
    list_filter = ("resource",)
    search_fields = ("project_id", "resource")
    ordering = ("project_id", "resource")


class InstanceActionEventInline(ReadOnlyTabularInline):
    """The steps of an action, with their tracebacks."""

    model = InstanceActionEvent
    fields = ("event", "result", "host", "start_time", "finish_time", "traceback")
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
