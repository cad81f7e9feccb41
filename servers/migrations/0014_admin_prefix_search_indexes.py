"""B-tree indexes on UPPER(name) and UPPER(hostname) with text_pattern_ops: the admin's
search by name or hostname prefix in any case (``UPPER(name) LIKE UPPER('vm-001%')``,
servers.admin.server_list.search) becomes a range scan. The trigram indexes (0011) stay for
the API's regex filters; for an anchored prefix they read every trigram of it, which at a
million servers cost more than the page. PostgreSQL only, as 0011."""

from django.db import migrations

INDEXES = {"server_name_upper_prefix_idx": "name", "server_hostname_upper_prefix_idx": "hostname"}


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON servers_server (UPPER({column}::text) text_pattern_ops)"
        )


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("servers", "0013_drop_redundant_server_indexes")]

    operations = [migrations.RunPython(create, drop)]
