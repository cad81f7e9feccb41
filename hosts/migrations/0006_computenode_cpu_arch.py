"""ComputeNode.cpu_arch: the canonical architecture of cpu_info, for the scheduler's SQL."""

from django.db import migrations, models

from hosts.cpu_arch import arch_of


def fill(apps, schema_editor) -> None:
    """Existing nodes: their architecture from the cpu_info they last reported."""
    ComputeNode = apps.get_model("hosts", "ComputeNode")
    # One UPDATE per distinct cpu_info (hosts of one hardware report the same), not per host.
    for cpu_info in ComputeNode.objects.exclude(cpu_info="").values_list("cpu_info", flat=True).order_by().distinct():
        ComputeNode.objects.filter(cpu_info=cpu_info).update(cpu_arch=arch_of(cpu_info))


class Migration(migrations.Migration):
    dependencies = [
        ("hosts", "0005_computenode_uptime"),
    ]

    operations = [
        migrations.AddField(
            model_name="computenode",
            name="cpu_arch",
            field=models.CharField(blank=True, default="", editable=False, max_length=32),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
