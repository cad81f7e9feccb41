"""The server actions in the admin's two places: the buttons of a server's page (one POST
naming the action in ``_server_action``, answered by a redirect and a message) and the
changelist's bulk actions (with a confirmation page for those that take parameters). Both run
servers.admin.server_actions.perform, each server in its own transaction; a refusal is the
service's message, verbatim, as an error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from hosts.models import ComputeNode
from novasite.admin_support import ServiceLayerAdmin, is_refusal, refusal_message, staff_caller

from ..models import Server
from .badges import status_badge
from .server_actions import ACTIONS, BULK_ACTIONS, ActionParameters, ServerAction, perform, success_message

#: The POST field a server page's action button sets.
ACTION_FIELD = "_server_action"
CONFIRMATION_TEMPLATE = "admin/servers/server/action_parameters.html"

BulkAction = Callable[[ServiceLayerAdmin[Server], HttpRequest, QuerySet[Server]], HttpResponse | None]


def compute_hosts() -> list[str]:
    """The compute hosts an operator may name as a destination (the forms' suggestions)."""
    return list(ComputeNode.objects.order_by("host").values_list("host", flat=True).distinct())


def _changelist_url(modeladmin: ServiceLayerAdmin[Server], request: HttpRequest) -> str:
    opts = modeladmin.opts
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist", current_app=modeladmin.admin_site.name)
    return str(
        add_preserved_filters({"preserved_filters": modeladmin.get_preserved_filters(request), "opts": opts}, url)
    )


def run_button(modeladmin: ServiceLayerAdmin[Server], request: HttpRequest, object_id: str) -> HttpResponse:
    """A server page's action button: run it, then back to the page (a deleted server: to
    the changelist) with the outcome as a message."""
    server = modeladmin.get_object(request, unquote(object_id))
    if server is None:
        return modeladmin._get_obj_does_not_exist_redirect(request, modeladmin.opts, object_id)  # type: ignore[attr-defined]  # Django's own helper, absent from the stubs
    if not modeladmin.has_change_permission(request, server):
        raise PermissionDenied
    page = request.get_full_path()
    name = request.POST.get(ACTION_FIELD, "")
    action = ACTIONS.get(name)
    if action is None or not action.button:
        modeladmin.message_user(request, f"There is no such action: {name}", messages.ERROR)
        return HttpResponseRedirect(page)
    params = ActionParameters(request.POST).params(action)
    try:
        with transaction.atomic():
            perform(staff_caller(request), server, action, params)
            modeladmin.log_change(request, server, f"{action.label} requested")
    except Exception as error:
        if not is_refusal(error):
            raise
        modeladmin.message_user(request, refusal_message(error, modeladmin.service), messages.ERROR)
        return HttpResponseRedirect(page)
    modeladmin.message_user(request, success_message(action, [server.name]), messages.SUCCESS)
    return HttpResponseRedirect(_changelist_url(modeladmin, request) if action.danger else page)


def bulk_action(action: ServerAction) -> BulkAction:
    """The changelist action for ``action``: its confirmation page first when it takes
    parameters (or deletes), then each selected server through the service; the refused ones
    are named with the service's message, the others in one success message."""

    def run(
        modeladmin: ServiceLayerAdmin[Server], request: HttpRequest, queryset: QuerySet[Server]
    ) -> HttpResponse | None:
        if action.confirmed and not request.POST.get("post"):
            return confirmation_page(modeladmin, request, list(queryset), action)
        params = ActionParameters(request.POST).params(action)
        names: list[str] = []

        def write(caller: Any, server: Server) -> None:
            perform(caller, server, action, params)
            modeladmin.log_change(request, server, f"{action.label} requested")
            names.append(server.name)

        modeladmin.each_through_service(request, list(queryset), write)
        if names:
            modeladmin.message_user(request, success_message(action, names), messages.SUCCESS)
        return None

    run.__name__ = action.name
    return run


def bulk_actions() -> dict[str, tuple[BulkAction, str, str]]:
    """Every bulk action, as ModelAdmin.get_actions lists them (function, name, description)."""
    return {action.name: (bulk_action(action), action.name, action.description) for action in BULK_ACTIONS}


def confirmation_page(
    modeladmin: ServiceLayerAdmin[Server], request: HttpRequest, servers: list[Server], action: ServerAction
) -> TemplateResponse:
    """The selected servers and the action's parameters, posted back to the changelist as
    Django's own delete confirmation is (``post=yes``)."""
    form = ActionParameters()
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": f"{action.label}: {len(servers)} server{'s' if len(servers) != 1 else ''}",
        "opts": modeladmin.opts,
        "action": action,
        "servers": [(server, status_badge(server)) for server in servers],
        "fields": [form[name] for name in action.params],
        "hosts": compute_hosts() if "target_host" in action.params else [],
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": modeladmin.media,
    }
    return TemplateResponse(request, CONFIRMATION_TEMPLATE, context)
