"""What every Neutron view shares: typed error bodies, `fields=` selection and Neutron's
list filtering (any attribute of the document, repeated values ORed, unknown ones ignored)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from rest_framework.response import Response
from rest_framework.views import APIView

from networks.access import parse_uuid

# Paging and sorting parameters: accepted and ignored (no paging links are emitted).
NOT_FILTERS = {"fields", "limit", "marker", "sort_key", "sort_dir", "page_reverse", "fixed_ips"}


class NeutronView(APIView):
    """Base of the network API views."""


def requested_fields(params) -> list[str]:
    """`fields=a&fields=b` or `fields=a,b`."""
    return [name for value in params.getlist("fields") for name in value.split(",") if name]


def select(document: dict, fields: list[str]) -> dict:
    return {key: value for key, value in document.items() if key in fields} if fields else document


def _same(value: object, wanted: list[str]) -> bool:
    if isinstance(value, bool):
        return str(value).lower() in {item.lower() for item in wanted}
    return ("" if value is None else str(value)) in wanted


def matches(document: dict, params) -> bool:
    """True when every filter that names a scalar attribute of the document matches."""
    for key in params:
        if key in NOT_FILTERS or key not in document:
            continue
        value = document[key]
        if isinstance(value, (dict, list)):
            continue
        if not _same(value, params.getlist(key)):
            return False
    return True


# Filters that map one-to-one onto a column: applied in SQL first, so a lookup by name or
# device does not build a document for every row (the Python match below stays the rule).
SQL_FILTERS = {
    "id": "id",
    "name": "name",
    "network_id": "network_id",
    "device_id": "device_id",
    "device_owner": "device_owner",
    "mac_address": "mac_address",
    "project_id": "project_id",
    "tenant_id": "project_id",
}
UUID_COLUMNS = {"id", "network_id"}


def narrow(rows: QuerySet, params) -> QuerySet:
    """Apply the equality filters the model has as columns (repeated values ORed)."""
    columns = {field.attname for field in rows.model._meta.concrete_fields}
    for name, column in SQL_FILTERS.items():
        values = params.getlist(name)
        if not values or column not in columns:
            continue
        if column in UUID_COLUMNS:
            values = [value for value in values if parse_uuid(value) is not None]
        rows = rows.filter(**{f"{column}__in": values})
    return rows


def listing(key: str, documents: Iterable[dict], params) -> Response:
    """A filtered collection response `{key: [...]}`."""
    fields = requested_fields(params)
    return Response({key: [select(doc, fields) for doc in documents if matches(doc, params)]})


def entity(key: str, document: dict, params, status: int = 200) -> Response:
    return Response({key: select(document, requested_fields(params))}, status=status)
