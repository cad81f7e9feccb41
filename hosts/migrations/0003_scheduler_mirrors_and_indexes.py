"""Scheduler support on compute nodes: mirrors of the host's aggregates (zone, allocation-ratio
overrides), build-failure counters, and expression indexes on free vCPUs, RAM and disk (overall
and within a zone) that the scheduler walks to find its best candidates without reading every
host.

The index expressions must stay identical to scheduling.capacity (a test checks that the
planner uses them)."""

from django.db import migrations, models

INDEXES = {
    "hosts_computenode_free_vcpus": "(vcpus * COALESCE(aggregate_cpu_allocation_ratio, cpu_allocation_ratio) - reserved_host_cpus - vcpus_used)",
    "hosts_computenode_free_ram_mb": "(memory_mb * COALESCE(aggregate_ram_allocation_ratio, ram_allocation_ratio) - reserved_host_memory_mb - memory_mb_used)",
    "hosts_computenode_free_disk_gb": "(local_gb * COALESCE(aggregate_disk_allocation_ratio, disk_allocation_ratio) - reserved_host_disk_mb / 1024.0 - local_gb_used)",
}
RATIO_KEYS = {
    "aggregate_cpu_allocation_ratio": "cpu_allocation_ratio",
    "aggregate_ram_allocation_ratio": "ram_allocation_ratio",
    "aggregate_disk_allocation_ratio": "disk_allocation_ratio",
}


def fill_mirrors(apps, schema_editor) -> None:
    """Compute the new mirror columns for existing nodes (later changes go through
    scheduling.aggregates)."""
    Aggregate = apps.get_model("hosts", "Aggregate")
    AggregateHost = apps.get_model("hosts", "AggregateHost")
    ComputeNode = apps.get_model("hosts", "ComputeNode")
    aggregates = {a.id: a for a in Aggregate.objects.all()}
    by_host: dict[str, list] = {}
    for host, aggregate_id in AggregateHost.objects.order_by("aggregate_id").values_list("host", "aggregate_id"):
        by_host.setdefault(host, []).append(aggregates[aggregate_id])
    for node in ComputeNode.objects.filter(host__in=list(by_host)):
        members = by_host[node.host]
        node.availability_zone = next((a.availability_zone for a in members if a.availability_zone), None)
        for column, key in RATIO_KEYS.items():
            values = []
            for aggregate in members:
                for item in str((aggregate.metadata or {}).get(key, "")).split(","):
                    try:
                        values.append(float(item))
                    except ValueError:
                        pass
            setattr(node, column, min(values) if values else None)
        node.save(update_fields=["availability_zone", *RATIO_KEYS])


class Migration(migrations.Migration):

    dependencies = [
        ("hosts", "0002_computenode_migration_uri"),
    ]

    operations = [
        migrations.AddField(
            model_name="computenode",
            name="availability_zone",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=255, null=True),
        ),
        migrations.AddField(
            model_name="computenode",
            name="aggregate_cpu_allocation_ratio",
            field=models.FloatField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="computenode",
            name="aggregate_ram_allocation_ratio",
            field=models.FloatField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="computenode",
            name="aggregate_disk_allocation_ratio",
            field=models.FloatField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="computenode",
            name="failed_builds",
            field=models.IntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="computenode",
            name="last_build_failure_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill_mirrors, migrations.RunPython.noop),
        *(
            migrations.RunSQL(
                f"CREATE INDEX {name} ON hosts_computenode ({expression})",
                f"DROP INDEX {name}",
            )
            for name, expression in INDEXES.items()
        ),
        # The same within a zone: a zone's best hosts without walking past other zones'.
        *(
            migrations.RunSQL(
                f"CREATE INDEX {name.replace('_free_', '_az_free_')} ON hosts_computenode (availability_zone, {expression})",
                f"DROP INDEX {name.replace('_free_', '_az_free_')}",
            )
            for name, expression in INDEXES.items()
        ),
    ]
