"""Servers and their audit records. A server's state, placement and boot request belong to
the workflows (servers.services and the workers): the admin shows them read-only, never adds
or deletes a server, and changes only what PUT /servers/{id} and the metadata API change
(name, description, hostname, access IPs; metadata), through the same readers and services,
so a change is refused when the API would refuse it (a bad hostname, metadata of a server
in ERROR)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.principal import Caller
from core.views import max_microversion
from novasite.admin_support import ReadOnlyMixin, ServiceLayerAdmin, as_service_error

from ..api.validation import metadata as metadata_body
from ..api.validation.servers import validate_server_update
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
from ..services import metadata, update
from ..states import PowerState, status_for

#: The server columns an operator edits here, and their names in PUT /servers/{id}.
UPDATE_ATTRIBUTES = {
    "name": "name",
    "description": "description",
    "hostname": "hostname",
    "access_ip_v4": "accessIPv4",
    "access_ip_v6": "accessIPv6",
}


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
class ServerAdmin(ServiceLayerAdmin[Server]):
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
        "requested_availability_zone",
        "flavor",
        "project_id",
        "user_id",
        "locked",
        "locked_by",
        "locked_reason",
        "image_ref",
        "key_name",
        "key_data",
        "user_data",
        "config_drive",
        "requested_networks",
        "reservation_id",
        "launch_index",
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
        ("Addresses", {"fields": ("access_ip_v4", "access_ip_v6")}),
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
        name: str = (obj.flavor or {}).get("name", "")
        return name

    def service_update(self, caller: Caller, obj: Server, form: Any) -> Server:
        """PUT /servers/{id} (at the newest microversion) for the attributes that changed, then
        PUT /servers/{id}/metadata when the metadata did."""
        server_id = str(obj.uuid)
        body = {
            UPDATE_ATTRIBUTES[name]: form.cleaned_data[name] for name in form.changed_data if name in UPDATE_ATTRIBUTES
        }
        body = {key: None if value == "" and key != "name" else value for key, value in body.items()}
        server = update.update_server(
            caller, server_id, as_service_error(lambda: validate_server_update(body, max_microversion()))
        )
        if "metadata" in form.changed_data:
            metadata.update(caller, server_id, metadata_body.metadata(form.cleaned_data["metadata"]), replace=True)
        return server


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
