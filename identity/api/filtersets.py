"""The query filters of the identity lists, as django-filter FilterSets.

Keystone matches each filter the query names exactly and ignores parameters it does not know
(``build_driver_hints`` in keystone/server/flask/common.py). A parameter that is present but
empty still filters (``?name=`` matches no project), so these filters tell an absent
parameter from an empty one, which django-filter's own CharFilter does not."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet

from core.params import bool_word


class ExactFilter(django_filters.Filter):
    """An exact match on the field whenever the parameter is present, even empty."""

    # The plain form field cleans to the value as sent: None when absent, "" when empty.
    field_class = forms.Field

    def filter(self, qs: QuerySet[Any], value: str | None) -> QuerySet[Any]:
        if value is None:
            return qs
        return qs.filter(**{self.column: value})

    @property
    def column(self) -> str:
        """The field matched: the FilterSet sets ``field_name`` to the attribute's name when
        the filter does not name one."""
        return str(self.field_name)


class EnabledFilter(ExactFilter):
    """A boolean column: any value but a false word (0, f, false, n, no, off) means true, an
    empty one included (``attr_as_boolean`` in keystone/common/utils.py, which is oslo's
    ``bool_from_string(value, default=True)``)."""

    def filter(self, qs: QuerySet[Any], value: str | None) -> QuerySet[Any]:
        if value is None:
            return qs
        return qs.filter(**{self.column: bool_word(value) is not False})


class ProjectFilterSet(django_filters.FilterSet):
    """GET /v3/projects and /v3/users/{id}/projects: name, domain_id, enabled."""

    name = ExactFilter()
    domain_id = ExactFilter()
    enabled = EnabledFilter()


class UserFilterSet(django_filters.FilterSet):
    """GET /v3/users: name, domain_id, enabled."""

    name = ExactFilter()
    domain_id = ExactFilter()
    enabled = EnabledFilter()


class RoleFilterSet(django_filters.FilterSet):
    """GET /v3/roles: name."""

    name = ExactFilter()


class RoleAssignmentFilterSet(django_filters.FilterSet):
    """GET /v3/role_assignments: user.id, scope.project.id, role.id. Keystone's names have
    dots, which no class attribute can, so they are added to the declared filters here."""

    @classmethod
    def get_filters(cls) -> OrderedDict[str, django_filters.Filter]:
        filters = super().get_filters()
        filters["user.id"] = ExactFilter(field_name="user_id", label="user.id")
        filters["scope.project.id"] = ExactFilter(field_name="project_id", label="scope.project.id")
        filters["role.id"] = ExactFilter(field_name="role_id", label="role.id")
        return filters


class RegionFilterSet(django_filters.FilterSet):
    """GET /v3/regions: parent_region_id."""

    parent_region_id = ExactFilter(field_name="parent_id")


class CatalogServiceFilterSet(django_filters.FilterSet):
    """GET /v3/services: type, name."""

    type = ExactFilter()
    name = ExactFilter()


class EndpointFilterSet(django_filters.FilterSet):
    """GET /v3/endpoints: interface, service_id, region_id."""

    interface = ExactFilter()
    service_id = ExactFilter()
    region_id = ExactFilter()
