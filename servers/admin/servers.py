"""The server admin. A server's state, placement and boot request belong to the workflows:
the admin shows them read-only (coloured, servers.admin.badges), never adds a server, and
changes only what PUT /servers/{id} and the metadata API change (name, description,
hostname, access IPs; metadata), through the same readers and services, so a change is
refused when the API would refuse it (a bad hostname, metadata of a server in ERROR).

Everything else an operator does to a server is an action (start, stop, ..., delete): a
button on its page or a bulk action of the changelist, each calling the service function the
API calls (servers.admin.server_actions). The list is servers.admin.server_list, the page's
records servers.admin.server_detail; the records themselves, servers.admin.records."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IS_POPUP_VAR
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from core.principal import Caller
from core.views import max_microversion
from novasite.admin_paging import CappedCountPaginator
from novasite.admin_support import ServiceLayerAdmin, as_service_error

from ..api.validation import metadata as metadata_body
from ..api.validation.servers import validate_server_update
from ..models import Server
from ..services import metadata, update
from . import badges, server_list
from .server_action_views import ACTION_FIELD, bulk_actions, run_button
from .server_detail import server_page_context

#: The server columns an operator edits here, and their names in PUT /servers/{id}.
UPDATE_ATTRIBUTES = {
    "name": "name",
    "description": "description",
    "hostname": "hostname",
    "access_ip_v4": "accessIPv4",
    "access_ip_v6": "accessIPv6",
}


@admin.register(Server)
class ServerAdmin(ServiceLayerAdmin[Server]):
    """Servers are created through the API; the admin acts on them through the services."""

    list_display = (
        "name",
        server_list.status_column,
        server_list.vm_state_column,
        server_list.task_state_column,
        server_list.power_state_column,
        "host",
        "availability_zone",
        server_list.flavor_column,
        server_list.project_column,
        server_list.ips_column,
        server_list.age_column,
        "locked",
    )
    list_filter = (
        server_list.StatusFilter,
        ("availability_zone", server_list.ZoneFilter),
        server_list.ProjectFilter,
        ("task_state", server_list.TaskStateFilter),
        "locked",
        "deleted",
    )
    # The columns server_list.search looks in (Django shows the search box when this is set).
    search_fields = ("name", "hostname", "=uuid", "=project_id", "=user_id", "=host", "=node")
    search_help_text = (
        "Uuid, IP address (or its beginning: 10.0.1.), beginning of the name or hostname, project, user or host."
    )
    # At a million servers, "(N total)" is a second COUNT over the whole table on every page.
    show_full_result_count = False
    # And the count of what the filters and search match stops at COUNT_CAP rows.
    paginator = CappedCountPaginator
    # No host filter (a thousand hosts make a thousand links; ?host__exact= and the search
    # find a host's servers) and no date hierarchy (its drill-down is a SELECT DISTINCT over
    # every server's month or day, and a MIN/MAX over a search's matches that PostgreSQL
    # plans as a walk of the whole created_at index).
    ordering = ("-created_at", "-id")
    readonly_fields = (
        "uuid",
        "status",
        "vm_state_badge",
        "task_state_badge",
        "power_state_badge",
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
                    "vm_state_badge",
                    "task_state_badge",
                    "power_state_badge",
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

    class Media:
        css = {"all": ("servers/admin/servers.css",)}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Server | None = None) -> bool:
        """Django's delete page would list rows the service keeps (a deleted server keeps its
        actions): deleting is the "delete" action, as DELETE /servers/{id} does it."""
        return False

    @admin.display(description="status")
    def status(self, obj: Server) -> str:
        return badges.status_badge(obj)

    @admin.display(description="vm_state")
    def vm_state_badge(self, obj: Server) -> str:
        return badges.vm_state_badge(obj)

    @admin.display(description="task_state")
    def task_state_badge(self, obj: Server) -> str:
        return badges.task_state_badge(obj)

    @admin.display(description="power_state")
    def power_state_badge(self, obj: Server) -> str:
        return badges.power_state_badge(obj)

    # --- the list -----------------------------------------------------------------------------

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[server_list.ServerChangeList]:
        return server_list.ServerChangeList

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Server], search_term: str
    ) -> tuple[QuerySet[Server], bool]:
        """server_list.search: each way on an index, never a scan of every column."""
        return server_list.search(queryset, search_term), False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if IS_POPUP_VAR not in request.GET and self.has_change_permission(request):
            actions.update(bulk_actions())
        return actions

    # --- the page -----------------------------------------------------------------------------

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """A POST from an action button runs that action; any other, the form."""
        if request.method == "POST" and object_id and ACTION_FIELD in request.POST:
            return run_button(self, request, object_id)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Server | None = None,
    ) -> HttpResponse:
        """Django's form, with the server's state, actions and records around it."""
        if obj is not None:
            context.update(server_page_context(obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

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
