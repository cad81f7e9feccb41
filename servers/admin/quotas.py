"""Quotas: a project's limits, its users' and the quota classes'. A project's limits are set
as PUT /os-quota-sets sets them (its body reader, servers.api.validation.quotas, then
servers.services.quotas.set_limits), so a limit below usage, an unknown resource or a value
out of range is refused in Nova's words; deleting a row reverts it to the default.

Besides the rows, a page per project shows its whole quota set as GET
/os-quota-sets/{project}/detail does (every resource: its limit and what is in use) and
changes any of its limits in one PUT."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString

from core.principal import Caller
from core.views import max_microversion
from identity.models import Project
from novasite.admin_support import ReadOnlyMixin, ServiceLayerAdmin, is_refusal, refusal_message, staff_caller

from ..api.validation.quotas import quota_update, shown
from ..models import QuotaClassLimit, QuotaLimit, UserQuotaLimit
from ..services import quotas


def project_quotas_url(project_id: str = "") -> str:
    """The quota set page, of ``project_id`` when given."""
    page = reverse("admin:servers_quotalimit_project")
    return f"{page}?{urlencode({'project': project_id})}" if project_id else page


def project_id_of(value: str) -> str:
    """A project given by id or by name, as its id (an unknown one as given: the service
    answers for it)."""
    found: str | None = Project.objects.filter(name=value).values_list("id", flat=True).first()
    return value if found is None or Project.objects.filter(id=value).exists() else found


class ProjectQuotaForm(forms.Form):
    """One text field per resource the API shows (the limit as the body of PUT
    /os-quota-sets carries it: the body reader checks it), and Nova's ``force``."""

    def __init__(self, limits: dict[str, int], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for resource, limit in limits.items():
            self.fields[resource] = forms.CharField(initial=str(limit), widget=forms.TextInput(attrs={"size": 12}))
        self.fields["force"] = forms.BooleanField(
            required=False, help_text="Set the limits even below what the project uses (Nova's force)."
        )

    def changes(self) -> dict[str, Any]:
        """The quota_set of the PUT body: the changed limits, and force when ticked."""
        changed: dict[str, Any] = {name: self.cleaned_data[name] for name in self.changed_data if name != "force"}
        return {**changed, "force": True} if self.cleaned_data.get("force") else changed


@admin.register(QuotaLimit)
class QuotaLimitAdmin(ServiceLayerAdmin[QuotaLimit]):
    """A project's own limit of one resource (-1: unlimited), set as PUT /os-quota-sets sets
    it (refused below what the project uses) and reverted to the default on delete."""

    list_display = ("project_id", "resource", "hard_limit", "quota_set")
    list_filter = ("resource",)
    search_fields = ("project_id", "resource")
    ordering = ("project_id", "resource")

    def get_readonly_fields(self, request: HttpRequest, obj: QuotaLimit | None = None) -> tuple[str, ...]:
        return ("project_id", "resource") if obj else ()

    @admin.display(description="")
    def quota_set(self, obj: QuotaLimit) -> SafeString:
        return format_html('<a href="{}">quota set of the project</a>', project_quotas_url(obj.project_id))

    def _set(self, caller: Caller, project_id: str, resource: str, limit: int) -> QuotaLimit:
        limits, force = quota_update({"quota_set": {resource: limit}}, max_microversion())
        quotas.set_limits(caller, project_id, limits, force=force)
        return QuotaLimit.objects.get(project_id=project_id, resource=resource)

    def service_create(self, caller: Caller, form: Any) -> QuotaLimit:
        data = form.cleaned_data
        return self._set(caller, data["project_id"], data["resource"], data["hard_limit"])

    def service_update(self, caller: Caller, obj: QuotaLimit, form: Any) -> QuotaLimit:
        return self._set(caller, obj.project_id, obj.resource, obj.hard_limit)

    def service_delete(self, caller: Caller, obj: QuotaLimit) -> None:
        quotas.revert_limits(caller, obj.project_id, [obj.resource])

    # --- a project's quota set --------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        page = path("project/", self.admin_site.admin_view(self.project_view), name="servers_quotalimit_project")
        return [page, *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        return super().changelist_view(request, {"project_quotas_url": project_quotas_url(), **(extra_context or {})})

    def project_view(self, request: HttpRequest) -> HttpResponse:
        """GET ?project=: the project's quota set (limits and usage) as a form; POST: the
        changed limits in one PUT /os-quota-sets, refused as the API refuses it."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        caller, asked = staff_caller(request), request.GET.get("project", "").strip()
        project_id = project_id_of(asked) if asked else ""
        context: dict[str, Any] = {"project": asked, "project_id": project_id, "form": None, "error": ""}
        if project_id:
            try:
                detail = shown(quotas.quota_detail(caller, project_id), max_microversion())
            except Exception as error:
                if not is_refusal(error):
                    raise
                context["error"] = refusal_message(error, self.service)
            else:
                posted = request.method == "POST"
                if posted and not self.has_change_permission(request):
                    raise PermissionDenied
                limits = {resource: values["limit"] for resource, values in sorted(detail.items())}
                form = ProjectQuotaForm(limits, request.POST if posted else None)
                if posted and form.is_valid() and self._apply(request, caller, project_id, form):
                    return HttpResponseRedirect(project_quotas_url(asked))
                defaults = quotas.defaults()
                rows = [(form[name], detail[name]["in_use"], defaults.get(name)) for name in limits]
                context.update(form=form, rows=rows)
        return TemplateResponse(
            request,
            "admin/servers/quotalimit/project_quotas.html",
            {**self.admin_site.each_context(request), "title": "Quota set of a project", "opts": self.opts, **context},
        )

    def _apply(self, request: HttpRequest, caller: Caller, project_id: str, form: ProjectQuotaForm) -> bool:
        """Send the form's changes as PUT /os-quota-sets would; a refusal becomes the form's
        error (nothing written). Returns whether the page may redirect."""
        changes = form.changes()
        if not changes:
            self.message_user(request, "No limit was changed.", messages.INFO)
            return True
        try:
            with transaction.atomic():
                limits, force = quota_update({"quota_set": changes}, max_microversion())
                quotas.set_limits(caller, project_id, limits, force=force)
        except Exception as error:
            if not is_refusal(error):
                raise
            form.add_error(None, refusal_message(error, self.service))
            return False
        names = ", ".join(f"{resource} {limit}" for resource, limit in sorted(limits.items()))
        self.message_user(request, f"The quota set of project {project_id} was changed: {names}.", messages.SUCCESS)
        return True


@admin.register(UserQuotaLimit)
class UserQuotaLimitAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """A user's own limits within a project, set and reverted through os-quota-sets
    (?user_id=), where Nova checks them against the project's."""

    list_display = ("project_id", "user_id", "resource", "hard_limit")
    list_filter = ("resource",)
    search_fields = ("project_id", "user_id", "resource")
    ordering = ("project_id", "user_id", "resource")


@admin.register(QuotaClassLimit)
class QuotaClassLimitAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """A quota class's limits, set through os-quota-class-sets; the class "default" holds the
    defaults every project starts with."""

    list_display = ("class_name", "resource", "hard_limit")
    list_filter = ("class_name", "resource")
    search_fields = ("class_name", "resource")
    ordering = ("class_name", "resource")
