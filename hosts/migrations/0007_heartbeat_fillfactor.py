"""Room on every page of hosts_service and hosts_computenode for heartbeats to update in place.

Each report rewrites a host's service row (last_seen_up) and compute node row (totals,
updated_at) without changing an indexed value: with free room on the page PostgreSQL makes
that a HOT update, which needs no new index entries and whose dead versions any later read
of the page prunes, vacuum or not. With full pages (the default fillfactor 100) every report
leaves a dead row version and dead index entries until the next vacuum, and the scheduler's
scans of every host (its NoValidHost explanation) grow slower with each report."""

from django.db import migrations

FILLFACTOR = {"hosts_service": 70, "hosts_computenode": 80}


def set_fillfactor(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite has no fillfactor
    for table, percent in FILLFACTOR.items():
        schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {percent})")


def reset_fillfactor(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in FILLFACTOR:
        schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("hosts", "0006_computenode_cpu_arch"),
    ]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
