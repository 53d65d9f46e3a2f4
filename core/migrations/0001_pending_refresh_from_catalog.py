"""PendingRefresh moves from catalog to core: the table stays where it is (catalog_pendingrefresh), only the
model's owner changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = [("catalog", "0003_pending_refresh")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PendingRefresh",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("month", models.DateField()),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "county",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="catalog.region"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "catalog_pendingrefresh",
                        "constraints": [
                            models.UniqueConstraint(fields=("county", "month"), name="one_pending_refresh")
                        ],
                    },
                ),
            ]
        )
    ]
