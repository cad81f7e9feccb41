"""Flavors and their access. A flavor is created as POST /flavors creates it (the same body
reader, servers.api.validation.flavors, and servers.services.flavors), so an invalid id, a
negative size or a taken name is refused in Nova's words. Afterwards only what Nova lets
change does: the description, the extra specs and (for a private flavor) the projects it is
shared with; sizes are fixed for the flavor's life, and `disabled` is Nova's internal flag
that no API sets."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.principal import Caller
from core.views import max_microversion
from novasite.admin_support import ServiceLayerAdmin, ServiceLayerInline

from ..api.validation import flavors as flavor_body
from ..models import Flavor, FlavorAccess
from ..services import flavors

#: What the admin's add form holds, by its name in a POST /flavors body.
CREATE_ATTRIBUTES = {
    "name": "name",
    "ram": "memory_mb",
    "vcpus": "vcpus",
    "disk": "root_gb",
    "id": "flavorid",
    "swap": "swap",
    "OS-FLV-EXT-DATA:ephemeral": "ephemeral_gb",
    "os-flavor-access:is_public": "is_public",
    "rxtx_factor": "rxtx_factor",
    "description": "description",
}
#: Fixed once the flavor exists.
FIXED = ("flavorid", "name", "vcpus", "memory_mb", "root_gb", "ephemeral_gb", "swap", "rxtx_factor", "is_public")


class FlavorAccessInline(ServiceLayerInline[FlavorAccess, Flavor]):
    """The projects a private flavor is shared with (addTenantAccess, removeTenantAccess)."""

    model = FlavorAccess
    extra = 1

    def service_add(self, caller: Caller, parent: Flavor, row: FlavorAccess) -> FlavorAccess:
        flavors.add_tenant_access(caller, parent.flavorid, row.project_id)
        return FlavorAccess.objects.get(flavor=parent, project_id=row.project_id)

    def service_remove(self, caller: Caller, parent: Flavor, row: FlavorAccess) -> None:
        flavors.remove_tenant_access(caller, parent.flavorid, row.project_id)


def set_extra_specs(caller: Caller, flavor_id: str, old: dict[str, Any], new: object) -> None:
    """Turn the flavor's extra specs from ``old`` into ``new``: the changed keys as POST
    /flavors/{id}/os-extra_specs merges them, then each removed key as DELETE removes it."""
    specs = flavor_body.extra_specs(new)
    changed = {key: value for key, value in specs.items() if old.get(key) != value}
    if changed:
        flavors.merge_extra_specs(caller, flavor_id, changed)
    for key in sorted(set(old) - set(specs)):
        flavors.delete_extra_spec(caller, flavor_id, key)


@admin.register(Flavor)
class FlavorAdmin(ServiceLayerAdmin[Flavor]):
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
    inlines = (FlavorAccessInline,)

    def get_readonly_fields(self, request: HttpRequest, obj: Flavor | None = None) -> tuple[str, ...]:
        return (*FIXED, "disabled", "created_at") if obj else ("disabled", "created_at")

    def service_create(self, caller: Caller, form: Any) -> Flavor:
        data = form.cleaned_data
        body = {key: data[field] for key, field in CREATE_ATTRIBUTES.items() if data.get(field) not in (None, "")}
        # The API dropped rxtx_factor at 2.102; the console still records it (the service checks it).
        rxtx_factor = body.pop("rxtx_factor", None)
        spec = flavor_body.flavor_create(body, max_microversion())
        if rxtx_factor is not None:
            spec = replace(spec, rxtx_factor=float(rxtx_factor))
        flavor = flavors.create_flavor(caller, spec)
        set_extra_specs(caller, flavor.flavorid, {}, data.get("extra_specs") or {})
        return flavor

    def service_update(self, caller: Caller, obj: Flavor, form: Any) -> Flavor:
        if "description" in form.changed_data:
            flavors.update_description(
                caller, obj.flavorid, flavor_body.flavor_update({"description": obj.description})
            )
        if "extra_specs" in form.changed_data:
            set_extra_specs(caller, obj.flavorid, form.initial.get("extra_specs") or {}, obj.extra_specs)
        return flavors.get_flavor(caller, obj.flavorid)

    def service_delete(self, caller: Caller, obj: Flavor) -> None:
        flavors.delete_flavor(caller, obj.flavorid)


@admin.register(FlavorAccess)
class FlavorAccessAdmin(ServiceLayerAdmin[FlavorAccess]):
    """A project's access to a private flavor: given or taken away, never edited."""

    list_display = ("flavor", "project_id")
    list_select_related = ("flavor",)
    search_fields = ("flavor__name", "flavor__flavorid", "project_id")
    ordering = ("flavor__name", "project_id")

    def has_change_permission(self, request: HttpRequest, obj: FlavorAccess | None = None) -> bool:
        return False

    def service_create(self, caller: Caller, form: Any) -> FlavorAccess:
        flavor, project_id = form.cleaned_data["flavor"], form.cleaned_data["project_id"]
        flavors.add_tenant_access(caller, flavor.flavorid, project_id)
        return FlavorAccess.objects.get(flavor=flavor, project_id=project_id)

    def service_delete(self, caller: Caller, obj: FlavorAccess) -> None:
        flavors.remove_tenant_access(caller, obj.flavor.flavorid, obj.project_id)
