"""Nova's Service records. Up, down or disabled is derived from the heartbeat
(hosts.heartbeats); operators enable, disable with a reason, force down (fence) and force up
services as PUT /os-services does it (hosts.services.service_records.update_service), from
the change form or as bulk actions on the list, and delete them as DELETE /os-services does.
Records appear only when a worker reports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from core.principal import Caller
from novasite.admin_support import ServiceLayerAdmin

from ..heartbeats import service_state
from ..models import Service
from ..services import service_records
from ..zones import zones_by_host

#: How each state is coloured on the operator's pages.
STATE_COLOURS = {"up": "#2e7d32", "down": "#c62828", "disabled": "#ef6c00"}


def state_badge(state: str, title: str = "") -> SafeString:
    """A service state (hosts.heartbeats.service_state), coloured."""
    return format_html(
        '<strong class="novasite-state novasite-state-{}" style="color: {}" title="{}">{}</strong>',
        state,
        STATE_COLOURS.get(state, "inherit"),
        title,
        state,
    )


def state_title(service: Service) -> str:
    """Why a service is in its state, as a tooltip: fenced, and the disabled reason."""
    notes = ["forced down"] if service.forced_down else []
    if service.disabled:
        notes.append(f"disabled: {service.disabled_reason}" if service.disabled_reason else "disabled")
    return "; ".join(notes)


def zone_column() -> Callable[[Service], str]:
    """A "zone" column for one changelist: zones_by_host() runs once, on the first compute row."""
    cache: list[dict[str, str]] = []

    @admin.display(description="zone")
    def zone(obj: Service) -> str:
        if obj.binary != "nova-compute":
            return settings.INTERNAL_SERVICE_AVAILABILITY_ZONE
        if not cache:
            cache.append(zones_by_host())
        return cache[0].get(obj.host, settings.DEFAULT_AVAILABILITY_ZONE)

    return zone


class DisableForm(forms.Form):
    """The intermediate page of "disable": the reason (optional). Its length and content are
    the service's to check, so a refusal is in Nova's words."""

    reason = forms.CharField(
        required=False,
        label="Disabled reason",
        widget=forms.TextInput(attrs={"size": 60}),
        help_text="Optional; shown as disabled_reason by GET /os-services.",
    )


@admin.register(Service)
class ServiceRecordAdmin(ServiceLayerAdmin[Service]):
    """Up/down is derived from the heartbeat; operators disable, force down or delete
    (os-services), and records appear only when a worker reports."""

    list_display = (
        "host",
        "binary",
        "state",
        "zone",
        "disabled",
        "disabled_reason",
        "forced_down",
        "last_seen_up",
        "report_count",
        "version",
    )
    list_filter = ("binary", "disabled", "forced_down")
    search_fields = ("host", "binary", "disabled_reason")
    ordering = ("host", "binary")
    readonly_fields = (
        "uuid",
        "host",
        "binary",
        "topic",
        "state",
        "last_seen_up",
        "report_count",
        "version",
        "created_at",
        "updated_at",
    )
    actions = ("enable_services", "disable_services", "force_down_services", "force_up_services")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_list_display(self, request: HttpRequest) -> Any:
        """Swap the "zone" name for a per-request column that caches the zone map."""
        return tuple(zone_column() if name == "zone" else name for name in self.list_display)

    @admin.display(description="state")
    def state(self, obj: Service) -> SafeString:
        return state_badge(service_state(obj), state_title(obj))

    @admin.display(description="zone")
    def zone(self, obj: Service) -> str:
        """Fallback for callers of list_display itself (one query per row)."""
        return zone_column()(obj)

    # --- the change form and delete: PUT and DELETE /os-services/{id} ---------------------

    def service_update(self, caller: Caller, obj: Service, form: Any) -> Service:
        """As PUT /os-services/{id}: a status change (enabling clears the reason), a new reason
        (only with a disable), fencing."""
        changed = set(form.changed_data)
        return service_records.update_service(
            caller,
            obj.pk,
            enabled=not obj.disabled if {"disabled", "disabled_reason"} & changed else None,
            disabled_reason=(obj.disabled_reason or None) if "disabled_reason" in changed else None,
            forced_down=obj.forced_down if "forced_down" in changed else None,
        )

    def service_delete(self, caller: Caller, obj: Service) -> None:
        service_records.delete_service(caller, obj.pk)

    # --- bulk actions: PUT /os-services/{id} for each selected service ---------------------

    def update_each(self, request: HttpRequest, queryset: QuerySet[Service], done: str, **changes: Any) -> None:
        """update_service(**changes) on each selected service, each on its own as the API
        takes one request per service: a refused one is named with Nova's message, the rest
        are changed, logged, and counted in the message ``done`` ("Disabled 3 services")."""

        def write(caller: Caller, service: Service) -> None:
            updated = service_records.update_service(caller, service.pk, **changes)
            self.log_change(request, updated, [{"changed": {"fields": sorted(changes)}}])

        count = self.each_through_service(request, list(queryset), write)
        if count:
            noun = self.opts.verbose_name if count == 1 else self.opts.verbose_name_plural
            self.message_user(request, f"{done} {count} {noun}.", messages.SUCCESS)

    @admin.action(description="Enable selected services", permissions=["change"])
    def enable_services(self, request: HttpRequest, queryset: QuerySet[Service]) -> None:
        self.update_each(request, queryset, "Enabled", enabled=True)

    @admin.action(description="Disable selected services (with a reason)", permissions=["change"])
    def disable_services(self, request: HttpRequest, queryset: QuerySet[Service]) -> TemplateResponse | None:
        """First an intermediate page asking for the reason, then the disable."""
        form = DisableForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"] or None
            self.update_each(request, queryset, "Disabled", enabled=False, disabled_reason=reason)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Disable services",
            "opts": self.opts,
            "services": list(queryset),
            "form": form,
            "action_name": "disable_services",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/hosts/service/disable_services.html", context)

    @admin.action(description="Force down selected services (fence)", permissions=["change"])
    def force_down_services(self, request: HttpRequest, queryset: QuerySet[Service]) -> None:
        self.update_each(request, queryset, "Forced down", forced_down=True)

    @admin.action(description="Force up selected services (unfence)", permissions=["change"])
    def force_up_services(self, request: HttpRequest, queryset: QuerySet[Service]) -> None:
        self.update_each(request, queryset, "Forced up", forced_down=False)
