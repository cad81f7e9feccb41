"""Trigram indexes (pg_trgm) on the server's name and hostname: they answer regular
expressions, which is what both the API's ``name`` / ``hostname`` filters (Nova's regex
match, servers.services.listing) and the admin's search by name or hostname prefix (a
case-insensitive ``^prefix``, servers.admin.server_list.search) are. PostgreSQL only:
elsewhere (the SQLite demo) both run unindexed, as small clouds can afford."""

from django.db import migrations

INDEXES = {"server_name_trgm_idx": "name", "server_hostname_trgm_idx": "hostname"}


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON servers_server USING gin ({column} gin_trgm_ops)")


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("servers", "0010_server_sort_indexes")]

    operations = [migrations.RunPython(create, drop)]
