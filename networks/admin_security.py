"""Admin for security groups and their rules, written as a Neutron client would: a group's
add, change and delete are the POST, PUT and DELETE of /security-groups, a rule's add and
delete those of /security-group-rules (Neutron has no rule update, so a rule's page is
read-only once made). The API's body readers and networks.services check everything."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.principal import Caller
from novasite.admin_support import ServiceLayerAdmin

from .api.security_groups import group_fields, rule_fields
from .models import SecurityGroup, SecurityGroupRule
from .services import security_group_rules, security_groups

GROUP_ATTRIBUTES = ("name", "description")
RULE_ATTRIBUTES = (
    "direction",
    "ethertype",
    "protocol",
    "port_range_min",
    "port_range_max",
    "remote_ip_prefix",
    "description",
)


@admin.register(SecurityGroup)
class SecurityGroupAdmin(ServiceLayerAdmin[SecurityGroup]):
    service = "/network"
    list_display = ("name", "id", "project_id", "is_default", "description", "created_at")
    list_filter = ("is_default",)
    search_fields = ("name", "=id", "project_id", "description")
    ordering = ("project_id", "name")

    def get_readonly_fields(self, request: HttpRequest, obj: SecurityGroup | None = None) -> tuple[str, ...]:
        return ("id", "project_id", "is_default", "created_at", "updated_at") if obj else ("id", "is_default")

    def service_create(self, caller: Caller, form: Any) -> SecurityGroup:
        data = form.cleaned_data
        body = {key: data[key] for key in GROUP_ATTRIBUTES if data.get(key) not in (None, "")}
        return security_groups.create_group(caller, group_fields(body), project_id=data.get("project_id") or None)

    def service_update(self, caller: Caller, obj: SecurityGroup, form: Any) -> SecurityGroup:
        body = {key: form.cleaned_data[key] for key in GROUP_ATTRIBUTES if key in form.changed_data}
        return security_groups.update_group(caller, str(obj.pk), group_fields(body))

    def service_delete(self, caller: Caller, obj: SecurityGroup) -> None:
        security_groups.delete_group(caller, str(obj.pk))


@admin.register(SecurityGroupRule)
class SecurityGroupRuleAdmin(ServiceLayerAdmin[SecurityGroupRule]):
    service = "/network"
    list_display = (
        "id",
        "security_group",
        "direction",
        "ethertype",
        "protocol",
        "port_range_min",
        "port_range_max",
        "remote_ip_prefix",
        "remote_group",
    )
    list_filter = ("direction", "ethertype", "protocol")
    list_select_related = ("security_group", "remote_group")
    search_fields = ("=id", "security_group__name", "project_id", "remote_ip_prefix")
    ordering = ("security_group__name", "created_at")

    def get_readonly_fields(self, request: HttpRequest, obj: SecurityGroupRule | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("id", "project_id", "created_at", "updated_at")
        return tuple(field.name for field in SecurityGroupRule._meta.fields)

    def service_create(self, caller: Caller, form: Any) -> SecurityGroupRule:
        data = form.cleaned_data
        body = {key: data[key] for key in RULE_ATTRIBUTES if data.get(key) not in (None, "")}
        body["security_group_id"] = str(data["security_group"].pk)
        if data.get("remote_group") is not None:
            body["remote_group_id"] = str(data["remote_group"].pk)
        return security_group_rules.create_rule(caller, rule_fields(body))

    def service_delete(self, caller: Caller, obj: SecurityGroupRule) -> None:
        security_group_rules.delete_rule(caller, str(obj.pk))
