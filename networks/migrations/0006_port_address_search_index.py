"""A trigram index (pg_trgm) on the text of a port's fixed IPs, for the server admin's search
by address or address prefix (servers.admin.server_list.servers_with_address), whose
``fixed_ips__icontains`` is ``UPPER(fixed_ips::text) LIKE '%10.0.1.%'``. PostgreSQL only."""

from django.db import migrations

NAME = "port_fixed_ips_trgm_idx"


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {NAME} ON networks_port USING gin ((UPPER(fixed_ips::text)) gin_trgm_ops)"
    )


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("networks", "0005_ip_allocations")]

    operations = [migrations.RunPython(create, drop)]
