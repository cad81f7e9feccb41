"""Neutron's list filters on the columns the models have, as django-filter FilterSets, so a
lookup by name, device or MAC runs in SQL instead of building a document for every row.

Neutron's semantics (https://docs.openstack.org/api-ref/network/v2/#filtering-and-column-selection):
a repeated parameter matches any of its values (``?name=a&name=b``); a parameter that is not
a filter is ignored; an id that is not a UUID matches nothing. Attributes that are not
columns (``shared``, ``status``, ``router:external`` ...) are matched on the documents
afterwards (``base.matches``)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet

from core.ids import parse_uuid
from networks.models import FloatingIP, Network, Port, Router, SecurityGroup, SecurityGroupRule, Subnet


class ValuesField(forms.Field):
    """Every value of a repeated query parameter, as strings."""

    widget = forms.MultipleHiddenInput  # reads QueryDict.getlist

    def to_python(self, value: Any) -> list[str]:
        return [str(item) for item in value] if value else []


class AnyOf(django_filters.Filter):
    """The column equals one of the parameter's values (ORed)."""

    field_class = ValuesField

    def values(self, value: list[str]) -> list[Any]:
        return value

    def filter(self, qs: QuerySet, value: list[str]) -> QuerySet:
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__in": self.values(value)})


class UuidAnyOf(AnyOf):
    """AnyOf for a UUID column: a value that is not a UUID matches nothing."""

    def values(self, value: list[str]) -> list[Any]:
        return [key for key in map(parse_uuid, value) if key is not None]


class OwnedFilter(django_filters.FilterSet):
    """What every resource is filtered on: id, name, owner (project_id or its old name tenant_id)."""

    id = UuidAnyOf()
    name = AnyOf()
    project_id = AnyOf()
    tenant_id = AnyOf(field_name="project_id")


class NetworkFilter(OwnedFilter):
    class Meta:
        model = Network
        fields: list[str] = []


class SubnetFilter(OwnedFilter):
    network_id = UuidAnyOf()

    class Meta:
        model = Subnet
        fields: list[str] = []


class PortFilter(OwnedFilter):
    network_id = UuidAnyOf()
    device_id = AnyOf()
    device_owner = AnyOf()
    mac_address = AnyOf()

    class Meta:
        model = Port
        fields: list[str] = []


class SecurityGroupFilter(OwnedFilter):
    description = AnyOf()

    class Meta:
        model = SecurityGroup
        fields: list[str] = []


class SecurityGroupRuleFilter(django_filters.FilterSet):
    id = UuidAnyOf()
    project_id = AnyOf()
    tenant_id = AnyOf(field_name="project_id")
    security_group_id = UuidAnyOf()
    remote_group_id = UuidAnyOf()
    direction = AnyOf()
    ethertype = AnyOf()
    protocol = AnyOf()

    class Meta:
        model = SecurityGroupRule
        fields: list[str] = []


class RouterFilter(OwnedFilter):
    class Meta:
        model = Router
        fields: list[str] = []


class FloatingIpFilter(django_filters.FilterSet):
    id = UuidAnyOf()
    project_id = AnyOf()
    tenant_id = AnyOf(field_name="project_id")
    floating_ip_address = AnyOf()
    floating_network_id = UuidAnyOf()
    port_id = UuidAnyOf()
    router_id = UuidAnyOf()

    class Meta:
        model = FloatingIP
        fields: list[str] = []


def narrow(filters: type[django_filters.FilterSet], rows: QuerySet, params: Any) -> QuerySet:
    """``rows`` narrowed by the column filters of ``params`` (a QueryDict)."""
    return filters(params, queryset=rows).qs
