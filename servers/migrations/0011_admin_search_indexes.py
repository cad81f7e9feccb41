"""Trigram indexes (pg_trgm) for the server admin's search by name or hostname prefix
(servers.admin.server_list.search): its ``istartswith`` is ``UPPER(name::text) LIKE 'X%'``,
which these GIN indexes on the same expressions answer without reading the table. PostgreSQL
only: elsewhere (the SQLite demo) the search runs unindexed, as small clouds can afford."""

from django.db import migrations

INDEXES = {
    "server_name_trgm_idx": "UPPER(name::text)",
    "server_hostname_trgm_idx": "UPPER(hostname::text)",
}


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON servers_server USING gin (({expression}) gin_trgm_ops)"
        )


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("servers", "0010_server_sort_indexes")]

    operations = [migrations.RunPython(create, drop)]
