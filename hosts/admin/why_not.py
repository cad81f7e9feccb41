"""The "why not this host?" page: every enabled scheduler filter's verdict on one host for a
flavor (and optionally a project and a zone), from scheduling.why_not, the code path behind
`manage.py explain_placement` and GET /scheduler/why-not. A read: the form is a GET, so a
verdict can be linked to."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.template.response import TemplateResponse

from novasite.admin_support import is_refusal, refusal_message, staff_caller
from scheduling import why_not
from servers.models import Flavor

from ..models import ComputeNode


class WhyNotForm(forms.Form):
    """What to explain: a flavor on a host, as a request of a project (tenant isolation) for a
    zone would see it."""

    flavor = forms.ChoiceField()
    host = forms.CharField(max_length=255, widget=forms.TextInput(attrs={"list": "novasite-hosts", "size": 40}))
    project = forms.CharField(
        required=False, max_length=255, help_text="Optional: a project id or name (for tenant isolation)."
    )
    zone = forms.CharField(required=False, max_length=255, help_text="Optional: the requested availability zone.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        flavors = Flavor.objects.order_by("memory_mb", "vcpus", "name").values_list(
            "name", "vcpus", "memory_mb", "root_gb"
        )
        field = self.fields["flavor"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (name, f"{name} ({vcpus} vCPUs, {ram} MB RAM, {disk} GB disk)") for name, vcpus, ram, disk in flavors
        ]


def why_not_view(model_admin: admin.ModelAdmin, request: HttpRequest) -> TemplateResponse:
    """The form, and once a flavor and a host are given, each filter's verdict."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    asked = "flavor" in request.GET
    form = WhyNotForm(request.GET if asked else None, initial={"host": request.GET.get("host", "")})
    explanation = None
    if asked and form.is_valid():
        data = form.cleaned_data
        try:
            explanation = why_not.why_not(
                staff_caller(request),
                data["flavor"],
                data["host"],
                zone=data["zone"] or None,
                project=data["project"],
            )
        except why_not.NotFound as error:
            message = str(error)
            field = "host" if message.startswith("host") else "flavor"
            form.add_error(field, f"{message[:1].upper()}{message[1:]}.")
        except Exception as error:
            if not is_refusal(error):
                raise
            form.add_error(None, refusal_message(error, "/compute"))
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Why not this host?",
        "opts": ComputeNode._meta,
        "form": form,
        "explanation": explanation,
        "hosts": ComputeNode.objects.order_by("host").values_list("host", flat=True),
    }
    return TemplateResponse(request, "admin/hosts/computenode/why_not.html", context)
