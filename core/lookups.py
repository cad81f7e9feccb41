"""``field__any=values``: membership in a list as ONE array parameter on PostgreSQL.

Django's ``__in`` prepares each value on its own (resolve, prepare, one placeholder each):
for the pages of 1,000 servers that GET /servers/detail reads its ports, groups, volumes and
tags for, that preparation cost more than the queries themselves. ``__any`` sends the list
as a single array (``column = ANY(%s)``) on PostgreSQL, and falls back to ``IN`` elsewhere.
Like ``__in``, an empty list matches nothing without a query. Values must already be of the
column's Python type (ints for keys, strings for text columns): they are not converted.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, ForeignObject, Lookup


@ForeignObject.register_lookup  # server_id__any: foreign keys keep lookups of their own
@Field.register_lookup
class AnyOf(Lookup):
    """``column = ANY(%s)`` with the values as one array parameter."""

    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self) -> Any:
        return list(self.rhs)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        values = self.rhs
        if not values:
            raise EmptyResultSet
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", (*lhs_params, values)
        placeholders = ", ".join(["%s"] * len(values))
        return f"{lhs} IN ({placeholders})", (*lhs_params, *values)
