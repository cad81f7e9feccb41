"""``UuidText(column)``: a uuid column read as its canonical text (lower-case, with dashes).

psycopg2 turns every uuid it reads into a ``uuid.UUID``, which documents then turn back into
text: for a page of 1,000 servers with their ports that was a tenth of the page. Reading the
text directly skips both. PostgreSQL casts (``::text`` is the canonical form); SQLite stores a
UUIDField as 32 hex digits, so the dashes are put back where they belong.
"""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Func


class UuidText(Func):
    """The canonical text of a uuid column, on PostgreSQL and SQLite alike."""

    output_field = CharField()
    arity = 1

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        return self.as_sql(compiler, connection, template="(%(expressions)s)::text", **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        inner, params = compiler.compile(self.source_expressions[0])
        spans = ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))
        parts = " || '-' || ".join(f"substr({inner}, {start}, {length})" for start, length in spans)
        return f"({parts})", tuple(params) * len(spans)
