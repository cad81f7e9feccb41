from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("hosts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="computenode",
            name="migration_uri",
            field=models.CharField(blank=True, default="", max_length=255),
        ),
    ]
