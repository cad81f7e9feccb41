"""What every Neutron view shares: ``fields=`` selection and Neutron's list filtering on the
documents (any scalar attribute, repeated values ORed, unknown ones ignored; the column
filters run in SQL first, ``filters``)."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from rest_framework.response import Response

from core.views import ServiceView

# Paging and sorting (networks.api.paging) and the ports' fixed_ips (networks.api.ports).
NOT_FILTERS = {"fields", "limit", "marker", "sort_key", "sort_dir", "page_reverse", "fixed_ips"}

Document = dict[str, Any]


class NeutronView(ServiceView):
    """Base of the network API views (``self.caller`` for the service layer)."""


def requested_fields(params: QueryDict) -> list[str]:
    """`fields=a&fields=b` or `fields=a,b`."""
    return [name for value in params.getlist("fields") for name in value.split(",") if name]


def select(document: Document, fields: list[str]) -> Document:
    """Only the requested fields of the document (all when none are requested)."""
    return {key: value for key, value in document.items() if key in fields} if fields else document


def _same(value: object, wanted: list[str]) -> bool:
    if isinstance(value, bool):
        return str(value).lower() in {item.lower() for item in wanted}
    return ("" if value is None else str(value)) in wanted


def matches(document: Document, params: QueryDict) -> bool:
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


def entity(key: str, document: Document, params: QueryDict, status: int = 200) -> Response:
    """A single resource response `{key: {...}}`, with `fields=` applied."""
    return Response({key: select(document, requested_fields(params))}, status=status)
